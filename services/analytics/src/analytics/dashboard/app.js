// Provincial dashboard: vanilla JS, no framework, no CDN. Charts are drawn as SVG here.
"use strict";

const API = "/api/v1";
const TOKEN_KEY = "motcua.analytics.token";
const PROCEDURES = {
  "1.001193": "Đăng ký khai sinh",
  "1.000689": "Khai sinh kết hợp nhận cha, mẹ, con",
  "1.000894": "Đăng ký kết hôn",
  "1.000656": "Đăng ký khai tử",
  "1.004859": "Thay đổi, cải chính thông tin hộ tịch",
  "1.001022": "Nhận cha, mẹ, con",
  "1.004873": "Xác nhận tình trạng hôn nhân",
  "1.004884": "Đăng ký lại khai sinh",
  "1.004746": "Đăng ký lại kết hôn",
  "1.005461": "Đăng ký lại khai tử",
  "2.000635": "Cấp bản sao trích lục hộ tịch",
  "2.000815": "Chứng thực bản sao từ bản chính",
  "2.000884": "Chứng thực chữ ký",
  "2.001035": "Chứng thực hợp đồng, giao dịch",
  "2.000986": "Liên thông khai sinh, thường trú, thẻ BHYT",
  "1.004222": "Đăng ký thường trú",
  "1.004194": "Đăng ký tạm trú",
};
const LEVELS = [
  ["rat_hai_long", "Rất hài lòng"],
  ["hai_long", "Hài lòng"],
  ["khong_hai_long", "Không hài lòng"],
];

const state = { commune: null, communeName: null, procedure: "", timer: null, busy: null, again: false, period: null };
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child instanceof Node ? child : String(child ?? ""));
  return node;
}

const pct = (v) => (v === null || v === undefined ? "—" : (v * 100).toFixed(1).replace(".", ",") + "%");
const num = (v) => (v === null || v === undefined ? "—" : Number(v).toLocaleString("vi-VN"));
const hours = (v) => (v === null || v === undefined ? "—" : v.toFixed(1).replace(".", ",") + " giờ");
const procName = (code) => (PROCEDURES[code] ? `${PROCEDURES[code]} (${code})` : code);
const dateVi = (iso) =>
  new Date(iso).toLocaleString("vi-VN", { timeZone: "Asia/Ho_Chi_Minh", dateStyle: "short", timeStyle: "short" });
const isoDay = (d) => new Date(d.getTime() + 7 * 3600e3).toISOString().slice(0, 10);

// --- token: from the URL fragment (#token=...), kept for the tab's session only ----------
function takeToken() {
  const match = location.hash.match(/token=([^&]+)/);
  if (match) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

class HttpError extends Error {
  constructor(status, body) {
    super((body && body.message) || `Lỗi ${status}`);
    this.status = status;
  }
}

async function api(path, params = {}) {
  const url = new URL(API + path, location.origin);
  for (const [k, v] of Object.entries(params)) {
    for (const item of [].concat(v)) if (item !== null && item !== undefined && item !== "") url.searchParams.append(k, item);
  }
  const response = await fetch(url, { headers: { Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY)}` } });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new HttpError(response.status, body);
  return body;
}

function filters(extra = {}) {
  const params = { from: $("tu-ngay").value, to: $("den-ngay").value, procedure: state.procedure };
  if (state.commune) params.commune = state.commune;
  return { ...params, ...extra };
}

// --- headline cards ----------------------------------------------------------------------
function card(label, value, detail, tone) {
  return el("div", { class: `card ${tone || ""}` },
    el("p", { class: "label" }, label), el("p", { class: "value" }, value), el("p", { class: "detail" }, detail));
}

function tone(value, target) {
  if (value === null || value === undefined) return "";
  return value >= target ? "good" : value >= target * 0.8 ? "warn" : "bad";
}

function renderCards(report) {
  const ind = Object.fromEntries(report.indicators.map((i) => [i.key, i]));
  const c = report.counts;
  const g2 = ind.d766_group2;
  const s54 = ind.d766_5_4;
  const cards = [
    card("Giải quyết đúng hạn", pct(ind.on_time_rate.value), `${num(c.resolved_early + c.resolved_on_time)} / ${num(c.resolved)} hồ sơ đã giải quyết`, tone(ind.on_time_rate.value, 0.95)),
    card("Tiến độ giải quyết (nhóm 2)", pct(g2.value), g2.points === null ? g2.formula_vi : `${num(g2.points)} / ${num(g2.max_points)} điểm`, tone(g2.value, 0.95)),
    card("Chỉ số 5.4 (QĐ 766)", pct(s54.value), `Chỉ tiêu ${pct(s54.target)}`, tone(s54.value, s54.target)),
    card("Đang quá hạn", num(c.overdue_now), `${num(c.in_progress_within_time)} hồ sơ đang giải quyết trong hạn`, c.overdue_now ? "bad" : "good"),
    card("Phiếu xin lỗi", num(c.apologies), `${num(c.apologies_late)} phiếu gửi muộn`, c.apologies_late ? "warn" : ""),
    card("Hài lòng, rất hài lòng", pct(ind.satisfied_share.value), `${num(report.satisfaction.rated)} lượt đánh giá; điểm TB ${report.satisfaction.mean_evaluation_points ?? "—"}/18`, tone(ind.satisfied_share.value, 0.9)),
    card("Tiếp nhận", num(c.received), `Trực tuyến ${pct(ind.d766_online.value)}; bổ sung ${num(c.supplements)}; từ chối ${num(c.refusals)}`),
    card("Thời gian xử lý", hours(report.median_processing_hours), `Trung vị; trung bình ${hours(report.mean_processing_hours)} làm việc`),
    card("Trả kết quả điện tử", pct(ind.d766_e_result.value), `${num(c.returned_online)} / ${num(c.returned)} kết quả đã trả`),
  ];
  $("the-chi-so").replaceChildren(...cards);
}

// --- trend chart (SVG) ---------------------------------------------------------------------
function renderChart(series) {
  const pts = series.points;
  const W = 720, H = 220, L = 40, R = 40, T = 10, B = 28;
  const svgNS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(svgNS, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("role", "img");
  const total = pts.reduce((a, p) => a + p.received, 0);
  svg.setAttribute("aria-label", `Biểu đồ ${pts.length} ngày, tổng ${total} hồ sơ tiếp nhận`);
  const max = Math.max(1, ...pts.map((p) => p.received));
  const step = (W - L - R) / Math.max(1, pts.length);
  const add = (tag, attrs) => {
    const n = document.createElementNS(svgNS, tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
    svg.append(n);
    return n;
  };
  add("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, class: "axis" });
  add("text", { x: 4, y: T + 10, class: "tick" }).textContent = max;
  add("text", { x: W - R + 4, y: T + 10, class: "tick" }).textContent = "100%";
  const line = [];
  pts.forEach((p, i) => {
    const h = ((H - T - B) * p.received) / max;
    const x = L + i * step;
    const bar = add("rect", { x: x + step * 0.15, y: H - B - h, width: step * 0.7, height: h, class: "bar" });
    const title = document.createElementNS(svgNS, "title");
    title.textContent = `${p.start}: ${p.received} tiếp nhận, đúng hạn ${pct(p.on_time_rate)}`;
    bar.append(title);
    if (p.on_time_rate !== null) line.push(`${x + step / 2},${T + (H - T - B) * (1 - p.on_time_rate)}`);
    if (pts.length <= 12 || i % Math.ceil(pts.length / 8) === 0) {
      add("text", { x: x + step / 2, y: H - 8, class: "tick", "text-anchor": "middle" }).textContent = p.start.slice(5).split("-").reverse().join("/");
    }
  });
  if (line.length > 1) add("polyline", { points: line.join(" "), class: "rate" });
  for (const pt of line) {
    const [cx, cy] = pt.split(",");
    add("circle", { cx, cy, r: 2.5, class: "rate-dot" });
  }
  $("bieu-do").replaceChildren(svg);
}

// --- pilot vs the rest ---------------------------------------------------------------------
function renderCohorts(pilot, rest) {
  const get = (r, key) => r.indicators.find((i) => i.key === key).value;
  const rows = [
    ["Hồ sơ tiếp nhận", num(pilot.counts.received), num(rest.counts.received)],
    ["Giải quyết đúng hạn", pct(get(pilot, "on_time_rate")), pct(get(rest, "on_time_rate"))],
    ["Tiến độ giải quyết (nhóm 2)", pct(get(pilot, "d766_group2")), pct(get(rest, "d766_group2"))],
    ["Chỉ số 5.4", pct(get(pilot, "d766_5_4")), pct(get(rest, "d766_5_4"))],
    ["Đang quá hạn", num(pilot.counts.overdue_now), num(rest.counts.overdue_now)],
    ["Phiếu xin lỗi", num(pilot.counts.apologies), num(rest.counts.apologies)],
    ["Hài lòng, rất hài lòng", pct(get(pilot, "satisfied_share")), pct(get(rest, "satisfied_share"))],
  ];
  $("bang-thi-diem").tBodies[0].replaceChildren(
    ...rows.map(([label, a, b]) => el("tr", {}, el("th", { scope: "row" }, label), el("td", { class: "num" }, a), el("td", { class: "num" }, b))),
  );
}

// --- ranking -------------------------------------------------------------------------------
function renderRanking(rows) {
  $("bang-xep-hang").tBodies[0].replaceChildren(
    ...rows.map((r) => {
      const link = el("button", { type: "button", class: "link", "data-commune": r.tenant_id, onclick: () => openCommune(r.tenant_id, r.name_vi) }, r.name_vi);
      const name = el("td", {}, link, ...r.cohorts.map((c) => el("span", { class: "tag" }, c === "pilot" ? "thí điểm" : c)));
      return el("tr", {},
        el("td", { class: "num" }, r.rank), name, el("td", { class: "num" }, num(r.received)),
        el("td", { class: "num" }, num(r.resolved)), el("td", { class: "num" }, num(r.resolved_late)),
        el("td", { class: `num ${r.overdue_now ? "bad-text" : ""}` }, num(r.overdue_now)),
        el("td", { class: "num" }, num(r.apologies)), el("td", { class: "num" }, pct(r.on_time_rate)),
        el("td", { class: "num" }, pct(r.group2)), el("td", { class: "num" }, pct(r.s54)));
    }),
  );
  const csv = new URL(API + "/export.csv", location.origin);
  csv.searchParams.set("kind", "ranking");
  csv.searchParams.set("from", $("tu-ngay").value);
  csv.searchParams.set("to", $("den-ngay").value);
  $("tai-csv").href = csv;
}

// The CSV needs the bearer token too: fetch it, then hand the browser a local file.
async function downloadCsv(event) {
  event.preventDefault();
  const response = await fetch($("tai-csv").href, { headers: { Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY)}` } });
  if (!response.ok) {
    $("trang-thai").textContent = "Không tải được tệp CSV.";
    return;
  }
  const link = el("a", { href: URL.createObjectURL(await response.blob()), download: "xep-hang-xa.csv" });
  document.body.append(link);
  link.click();
  link.remove();
}

// --- late list -----------------------------------------------------------------------------
function renderLate(rows) {
  const body = $("bang-tre-han").tBodies[0];
  if (!rows.length) {
    body.replaceChildren(el("tr", {}, el("td", { colspan: 7 }, "Không có hồ sơ trễ hạn hay sắp đến hạn.")));
    return;
  }
  body.replaceChildren(
    ...rows.map((d) => el("tr", { class: d.status === "late" ? "late" : "risk" },
      el("td", {}, el("code", {}, d.dossier_code)), el("td", {}, d.name_vi), el("td", {}, procName(d.procedure_code)),
      el("td", {}, dateVi(d.due_at)), el("td", {}, d.status === "late" ? "Trễ hạn" : "Sắp đến hạn"),
      el("td", { class: "num" }, d.working_hours_left === null ? "—" : d.working_hours_left.toFixed(1).replace(".", ",")),
      el("td", {}, d.apology_issued ? "Đã gửi" : "Chưa"))),
  );
}

// --- drill-down ----------------------------------------------------------------------------
function renderBreakdown(rows) {
  $("bang-thu-tuc").tBodies[0].replaceChildren(
    ...rows.map((r) => el("tr", {},
      el("th", { scope: "row" }, el("button", { type: "button", class: "link", onclick: () => chooseProcedure(r.key) }, procName(r.key))),
      el("td", { class: "num" }, num(r.received)), el("td", { class: "num" }, num(r.resolved)),
      el("td", { class: "num" }, num(r.resolved_late)), el("td", { class: "num" }, pct(r.on_time_rate)),
      el("td", { class: "num" }, hours(r.mean_processing_hours)))),
  );
}

function renderSatisfaction(s) {
  const total = Math.max(1, s.rated);
  $("hai-long").replaceChildren(
    ...LEVELS.map(([key, label]) => el("div", { class: "meter" },
      el("span", {}, `${label}: ${num(s[key])}`),
      el("span", { class: `fill ${key}`, style: `width:${(100 * s[key]) / total}%` }))),
    el("p", { class: "detail" }, `Điểm đánh giá trung bình: ${s.mean_evaluation_points ?? "—"} / 18 (${num(s.evaluation_count)} phiếu)`),
  );
}

function openCommune(id, name) {
  state.commune = id;
  state.communeName = name;
  refresh().then(() => $("tieu-de-xa").focus());
}

function chooseProcedure(code) {
  state.procedure = code;
  $("thu-tuc").value = code;
  refresh();
}

function backToProvince() {
  state.commune = null;
  state.communeName = null;
  refresh().then(() => $("tieu-de-chi-so").scrollIntoView());
}

// --- refresh -------------------------------------------------------------------------------
// One refresh at a time; a request made meanwhile (a click on a commune during the
// self-refresh) runs right after it instead of being dropped.
function refresh() {
  if (state.busy) {
    state.again = true;
    return state.busy;
  }
  state.busy = refreshOnce().finally(() => {
    state.busy = null;
    if (state.again) {
      state.again = false;
      return refresh();
    }
    return undefined;
  });
  return state.busy;
}

async function refreshOnce() {
  $("trang-thai").textContent = "Đang cập nhật…";
  try {
    const f = filters();
    const province = { ...f, commune: undefined };
    const communeView = Boolean(state.commune);
    const [report, series, ranking, late] = await Promise.all([
      api("/indicators", f), api("/indicators/timeseries", f), api("/ranking", province), api("/late-dossiers", f),
    ]);
    renderCards(report);
    renderChart(series);
    renderRanking(ranking);
    renderLate(late);
    $("pham-vi").textContent = communeView ? state.communeName : (report.communes && report.communes.length === 1 ? ranking[0]?.name_vi || report.communes[0] : "Toàn tỉnh");
    const pilotShown = !communeView && ranking.length > 1;
    $("khu-thi-diem").hidden = !pilotShown;
    if (pilotShown) {
      const [pilot, rest] = await Promise.all([api("/indicators", { ...province, cohort: "pilot" }), api("/indicators", { ...province, not_cohort: "pilot" })]);
      renderCohorts(pilot, rest);
    }
    $("chi-tiet-xa").hidden = !communeView;
    if (communeView) {
      $("tieu-de-xa").textContent = `Chi tiết: ${state.communeName}`;
      renderBreakdown(await api("/breakdown", { ...f, procedure: undefined }));
      renderSatisfaction(report.satisfaction);
    }
    const updated = momentVi((await platformClock()).now);
    $("trang-thai").textContent = `Cập nhật lúc ${updated} — số liệu từ ${f.from} đến ${f.to}${state.procedure ? ", thủ tục " + procName(state.procedure) : ""}.`;
  } catch (error) {
    if (error.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      $("dang-nhap").hidden = false;
    }
    $("trang-thai").textContent = `Không tải được số liệu: ${error.message}`;
  }
}

// "Now" and "today" are the platform's (GET /clock), which run ahead of the browser's in a
// simulation; the browser's clock is only a fallback when the platform does not answer.
async function platformClock() {
  try {
    const response = await fetch(new URL(API + "/clock", location.origin));
    if (response.ok) {
      const clock = await response.json();
      return { now: new Date(clock.now), today: clock.today };
    }
  } catch (error) { /* fall back to the browser's clock below */ }
  const now = new Date();
  return { now, today: isoDay(now) };
}

async function platformToday() {
  return (await platformClock()).today;
}

// "08:30:05 ngày 05/01/2027": the platform's moment in Vietnam time, whatever the browser's zone.
function momentVi(moment) {
  const zone = { timeZone: "Asia/Ho_Chi_Minh" };
  const time = moment.toLocaleTimeString("vi-VN", { ...zone, hour12: false });
  const day = moment.toLocaleDateString("vi-VN", { ...zone, day: "2-digit", month: "2-digit", year: "numeric" });
  return `${time} ngày ${day}`;
}

async function setPeriod(kind) {
  state.period = kind; // the default period follows the platform's day until the user picks dates
  const end = await platformToday();
  $("den-ngay").value = end;
  $("tu-ngay").value = kind === "year" ? end.slice(0, 4) + "-01-01" : end.slice(0, 8) + "01";
}

function fillProcedures() {
  for (const [code, name] of Object.entries(PROCEDURES)) $("thu-tuc").append(el("option", { value: code }, `${name} (${code})`));
}

async function start() {
  fillProcedures();
  await setPeriod("month");
  const params = new URLSearchParams(location.search);
  if (params.get("from")) $("tu-ngay").value = params.get("from");
  if (params.get("to")) $("den-ngay").value = params.get("to");
  if (params.get("from") || params.get("to")) state.period = null;
  for (const id of ["tu-ngay", "den-ngay"]) $(id).addEventListener("input", () => { state.period = null; });
  $("bo-loc").addEventListener("submit", (e) => { e.preventDefault(); state.procedure = $("thu-tuc").value; refresh(); });
  $("thang-nay").addEventListener("click", async () => { await setPeriod("month"); refresh(); });
  $("nam-nay").addEventListener("click", async () => { await setPeriod("year"); refresh(); });
  $("ve-toan-tinh").addEventListener("click", backToProvince);
  $("tai-csv").addEventListener("click", downloadCsv);
  $("dang-nhap").addEventListener("submit", (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("ma-truy-cap").value.trim());
    $("dang-nhap").hidden = true;
    refresh();
  });
  if (!takeToken()) {
    $("dang-nhap").hidden = false;
    $("trang-thai").textContent = "Cần đăng nhập để xem số liệu.";
    return;
  }
  refresh();
  const seconds = Number(document.body.dataset.refreshSeconds) || 30;
  state.timer = setInterval(async () => {
    if (document.hidden) return;
    if (state.period) await setPeriod(state.period); // the simulated day may have turned
    refresh();
  }, seconds * 1000);
}

document.addEventListener("DOMContentLoaded", start);
