// The desk: sign in, register from the catalogue, print, find, move a dossier on, roster.
import { claims, devSignIn, oidcFinish, oidcStart, signOut, token } from "./auth.js";
import { drop, keep, mark, pending } from "./outbox.js";

const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, ...kids) => {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "on") for (const [ev, f] of Object.entries(v)) n.addEventListener(ev, f);
    else if (v !== false && v != null) n.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids) n.append(k);
  return n;
};

// Dates as a Vietnamese desk writes them: dd/mm/yyyy, 24-hour clock, Vietnam's time.
const PARTS = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Asia/Ho_Chi_Minh", day: "2-digit", month: "2-digit", year: "numeric",
  hour: "2-digit", minute: "2-digit", hourCycle: "h23",
});
export function vnDateTime(iso) {
  const p = Object.fromEntries(PARTS.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return `${p.hour}:${p.minute} ngày ${p.day}/${p.month}/${p.year}`;
}
function isoDate(ddmmyyyy) {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(ddmmyyyy.trim());
  return m ? `${m[3]}-${m[2].padStart(2, "0")}-${m[1].padStart(2, "0")}` : ddmmyyyy.trim();
}

const ROLE_VI = { clerk: "Công chức tiếp nhận", leader: "Lãnh đạo trực" };
// The lifecycle is data: the dossier lists the steps allowed now (as their API paths); the
// page offers those and only those, with these labels.
const ACTIONS = {
  accept: "Nhận đủ hồ sơ, hẹn trả",
  "supplement-request": "Yêu cầu bổ sung",
  "supplement-received": "Đã nhận bổ sung",
  refuse: "Từ chối tiếp nhận",
  transfer: "Chuyển xử lý",
  decision: "Quyết định giải quyết",
  "result-ready": "Đã có kết quả",
  "result-returned": "Trả kết quả (bàn giao)",
  withdraw: "Rút hồ sơ",
};

let config = null;
let procedures = [];
let current = null; // the dossier on screen

function tenant() {
  return claims()?.tenant_id;
}

async function api(path, opts = {}) {
  const headers = { Authorization: `Bearer ${token()}`, ...(opts.headers || {}) };
  if (opts.json !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(`/api/v1/communes/${tenant()}${path}`, {
    method: opts.method || "GET",
    headers,
    body: opts.json !== undefined ? JSON.stringify(opts.json) : undefined,
  });
  if (r.status === 401) {
    signOut();
    showSignIn("Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại.");
  }
  return r;
}

function show(id) {
  for (const s of document.querySelectorAll("main > section")) s.hidden = s.id !== id;
  for (const b of document.querySelectorAll("nav [data-view]")) {
    if (b.dataset.view === id) b.setAttribute("aria-current", "page");
    else b.removeAttribute("aria-current");
  }
  $("#noi-dung").focus();
}

// ---- sign-in ----
function showSignIn(problem) {
  $("#dieu-huong").hidden = true;
  $("#ai-dang-dung").textContent = "";
  const box = $("#dang-nhap-nut");
  box.replaceChildren();
  const err = $("#dang-nhap-loi");
  err.hidden = !problem;
  err.textContent = problem || "";
  if (config.sign_in === "oidc") {
    box.append(el("button", { type: "button", class: "primary", on: { click: () =>
      oidcStart(config).catch((e) => showSignIn(e.message)) } }, "Đăng nhập bằng tài khoản định danh"));
  } else {
    box.append(el("p", {}, "Môi trường thử nghiệm: chọn đơn vị và vai trò để đăng nhập."));
    const grid = el("div", { class: "signin" });
    for (const c of config.communes) {
      const card = el("div", { class: "card" }, el("h3", {}, c.name_vi));
      for (const role of ["clerk", "leader"]) {
        card.append(el("button", { type: "button", "data-role": role, "data-tenant": c.tenant_id,
          on: { click: async () => {
            try { await devSignIn(role, c.tenant_id); await start(); }
            catch (e) { showSignIn(e.message); }
          } } }, ROLE_VI[role]));
      }
      grid.append(card);
    }
    box.append(grid);
  }
  show("dang-nhap");
}

async function start() {
  const c = claims();
  if (!c) return showSignIn();
  const role = (c.roles || []).find((r) => ROLE_VI[r]);
  const unit = config.communes.find((x) => x.tenant_id === c.tenant_id);
  $("#ai-dang-dung").textContent =
    `${ROLE_VI[role] || "Cán bộ"} — ${unit ? unit.name_vi : c.tenant_id}`;
  $("#dieu-huong").hidden = false;
  await loadCatalogue();
  renderPending();
  flush();
  show("tiep-nhan");
}

// ---- register ----
async function loadCatalogue() {
  const r = await api("/procedures");
  if (!r.ok) return;
  procedures = await r.json();
  const sel = $("#thu-tuc");
  sel.replaceChildren(el("option", { value: "" }, "— Chọn thủ tục —"));
  let group = null;
  for (const p of procedures) {
    if (!group || group.label !== p.field_vi) {
      group = el("optgroup", { label: p.field_vi });
      sel.append(group);
    }
    group.append(el("option", { value: p.code }, `${p.name_vi} (${p.code})`));
  }
}

function chosen() {
  return procedures.find((p) => p.code === $("#thu-tuc").value);
}

async function onProcedure() {
  const p = chosen();
  const info = $("#thong-tin-thu-tuc");
  const docs = $("#danh-muc-giay-to");
  info.replaceChildren();
  docs.replaceChildren();
  $("#han-tra").textContent = "";
  if (!p) return;
  info.append(
    el("p", {}, `Phiên bản đang có hiệu lực: ${p.version}. Thời hạn giải quyết: ${p.time_limit_vi}.`),
    el("p", {}, "Lệ phí: " + (p.fees_vi.length ? p.fees_vi.join("; ") : "không có")),
  );
  p.documents.forEach((d, i) => {
    const id = `giay-to-${i}`;
    docs.append(el("div", { class: "doc" },
      el("input", { type: "checkbox", id, "data-name": d.name, "data-form": d.form }),
      el("label", { for: id }, `${d.name} (${d.form_vi})${d.note_vi ? " — " + d.note_vi : ""}`)));
  });
  await preview();
}

async function preview() {
  const p = chosen();
  if (!p) return;
  const out = $("#han-tra");
  try {
    const r = await api("/dossiers/preview", { method: "POST", json: {
      procedure_code: p.code, verification_required: $("#xac-minh").checked } });
    out.textContent = r.ok
      ? `Ngày hẹn trả nếu tiếp nhận bây giờ: ${vnDateTime((await r.json()).due_at)}`
      : "";
  } catch {
    out.textContent = "Mất kết nối: ngày hẹn trả sẽ được tính khi gửi được hồ sơ.";
  }
}

function clearErrors(form) {
  for (const n of form.querySelectorAll(".field-error")) n.textContent = "";
  for (const n of form.querySelectorAll("[aria-invalid]")) n.removeAttribute("aria-invalid");
  $("#loi-chung").hidden = true;
}

function showErrors(form, body) {
  const problems = body.errors && body.errors.length ? body.errors
    : [{ field: body.field, message: body.message }];
  let first = null;
  for (const p of problems) {
    const slot = p.field && document.getElementById(`loi-${p.field}`);
    if (slot) {
      slot.textContent = p.message;
      const input = form.querySelector(`[name="${p.field}"]`) ||
        (p.field === "procedure_code" ? $("#thu-tuc") : null);
      if (input) { input.setAttribute("aria-invalid", "true"); first = first || input; }
    } else {
      const general = $("#loi-chung");
      general.hidden = false;
      general.textContent = p.message;
    }
  }
  if (first) first.focus();
}

function registration() {
  const v = (id) => $(id).value.trim();
  const documents = [...document.querySelectorAll("#danh-muc-giay-to input:checked")]
    .map((c) => ({ name: c.dataset.name, form: c.dataset.form }));
  const applicant = { full_name: v("#ho-ten"), date_of_birth: isoDate(v("#ngay-sinh")),
    id_number: v("#so-dinh-danh"), phone: v("#dien-thoai"), address: v("#dia-chi") };
  if (v("#thu-dien-tu")) applicant.email = v("#thu-dien-tu");
  return { procedure_code: $("#thu-tuc").value, channel: "counter", applicant, documents,
    verification_required: $("#xac-minh").checked };
}

async function resetForm(form) {
  form.reset(); // the procedure too: its checklist, fees and date are cleared with it
  await onProcedure();
}

async function send(item) {
  return api("/dossiers", { method: "POST", json: item.body, headers: { "Idempotency-Key": item.key } });
}

async function onRegister(ev) {
  ev.preventDefault();
  const form = ev.target;
  clearErrors(form);
  const item = { key: crypto.randomUUID(), tenant: tenant(), body: registration(),
    typed_at: new Date().toISOString() };
  const button = $("#nut-tiep-nhan");
  button.disabled = true;
  try {
    const r = await send(item);
    if (r.status === 201) {
      await resetForm(form);
      openDossier(await r.json());
    } else if (r.status >= 500 || r.status === 429) {
      keep(item);
      await resetForm(form);
      renderPending();
    } else {
      showErrors(form, await r.json());
    }
  } catch {
    keep(item); // the link is down: kept, sent when it returns
    await resetForm(form);
    renderPending();
  } finally {
    button.disabled = false;
  }
}

function renderPending() {
  const items = pending().filter((p) => p.tenant === tenant());
  const box = $("#hang-cho");
  box.hidden = items.length === 0;
  box.replaceChildren();
  if (!items.length) return;
  box.append(el("p", {}, el("strong", {},
    `Đang chờ gửi ${items.length} hồ sơ (mất kết nối). Hồ sơ sẽ tự gửi khi có mạng trở lại; không cần nhập lại.`)));
  const list = el("ul");
  for (const p of items) {
    list.append(el("li", {}, `${p.body.applicant.full_name} — nhập lúc ${vnDateTime(p.typed_at)}` +
      (p.problem ? ` — chưa gửi được: ${p.problem}` : "")));
  }
  box.append(list);
}

let flushing = false;
async function flush() {
  if (flushing || !token()) return;
  flushing = true;
  try {
    for (const item of pending().filter((p) => p.tenant === tenant() && !p.problem)) {
      let r;
      try { r = await send(item); } catch { break; } // still offline
      if (r.status === 201) drop(item.key);
      else if (r.status >= 400 && r.status < 500 && r.status !== 429 && r.status !== 401) {
        mark(item.key, (await r.json()).message || `lỗi ${r.status}`);
      } else break;
    }
  } finally {
    flushing = false;
    renderPending();
  }
}

// ---- one dossier ----
async function printPdf(path) {
  // A plain link cannot carry the bearer header: the PDF is fetched, then shown from a blob
  // URL. The tab is opened at the click (a popup blocker allows it), filled when it arrives.
  const tab = window.open("", "_blank");
  $("#loi-buoc").hidden = true;
  const r = await api(`/dossiers/${current.dossier_id}/${path}`);
  if (!r.ok) {
    if (tab) tab.close();
    $("#loi-buoc").hidden = false;
    $("#loi-buoc").textContent = (await r.json()).message;
    return;
  }
  const url = URL.createObjectURL(await r.blob());
  if (tab) tab.location.href = url;
  else location.assign(url);
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function openDossier(d) {
  current = d;
  $("#loi-buoc").hidden = true;
  const rows = [
    ["Mã hồ sơ", d.code], ["Người nộp", d.applicant_name], ["Thủ tục", d.procedure_code],
    ["Trạng thái", d.status_vi], ["Tiếp nhận lúc", vnDateTime(d.received_at)],
    ["Hẹn trả kết quả", vnDateTime(d.due_at)],
  ];
  if (d.apology_new_due_at) rows.push(["Ngày hẹn mới (thư xin lỗi)", vnDateTime(d.apology_new_due_at)]);
  if (d.apology_reason_vi) rows.push(["Lý do chậm", d.apology_reason_vi]);
  const dl = el("dl");
  for (const [k, v] of rows) dl.append(el("dt", {}, k), el("dd", {}, v));
  $("#chi-tiet").replaceChildren(el("div", { class: "card" }, dl));
  const prints = $("#nut-in");
  prints.replaceChildren();
  // Form 01 exists once the dossier is complete and accepted (the appointment is fixed then).
  if (d.accepted_at) prints.append(el("button", { type: "button", id: "in-mau-01",
    on: { click: () => printPdf("receipt.pdf") } }, "In giấy tiếp nhận, hẹn trả (Mẫu 01)"));
  if (d.supplements_requested > 0) prints.append(el("button", { type: "button",
    on: { click: () => printPdf("supplement-request.pdf") } }, "In phiếu yêu cầu bổ sung (Mẫu 02)"));
  if (d.status === "refused") prints.append(el("button", { type: "button",
    on: { click: () => printPdf("refusal.pdf") } }, "In phiếu từ chối (Mẫu 03)"));
  if (!prints.children.length) prints.append(el("p", {}, "Chưa có biểu mẫu để in: giấy tiếp nhận (Mẫu 01) có sau khi nhận đủ hồ sơ."));
  const steps = $("#nut-buoc");
  steps.replaceChildren();
  for (const a of d.allowed_transitions) {
    if (!ACTIONS[a]) continue;
    steps.append(el("button", { type: "button", "data-action": a,
      on: { click: () => act(a) } }, ACTIONS[a]));
  }
  if (!d.allowed_transitions.length) steps.append(el("p", {}, "Hồ sơ đã kết thúc, không còn bước nào."));
  $("#form-le-trao").hidden = !["decided", "result_ready"].includes(d.status);
  show("ho-so");
}

function bodyFor(action) {
  switch (action) {
    case "supplement-request": {
      const what = prompt("Giấy tờ cần bổ sung (mỗi dòng một giấy tờ, ngăn cách bằng dấu ;)");
      return what ? { missing_items: what.split(";").map((s) => s.trim()).filter(Boolean) } : null;
    }
    case "refuse": {
      const why = prompt("Lý do từ chối tiếp nhận");
      return why ? { reason_codes: ["other"], reason_text: why } : null;
    }
    case "transfer": {
      const to = prompt("Chuyển cho đơn vị hoặc cán bộ nào? (mã đơn vị, ví dụ tu-phap-ho-tich)");
      return to ? { to_unit_id: to.trim() } : null;
    }
    case "decision": return { outcome: "approved" };
    case "result-returned": return { method: "counter" };
    default: return {};
  }
}

async function act(action) {
  const body = bodyFor(action);
  if (body === null) return;
  $("#loi-buoc").hidden = true;
  const r = await api(`/dossiers/${current.dossier_id}/${action}`,
    { method: "POST", json: body });
  if (r.ok) openDossier(await r.json());
  else {
    $("#loi-buoc").hidden = false;
    $("#loi-buoc").textContent = (await r.json()).message;
  }
}

async function onCeremony(ev) {
  ev.preventDefault();
  const form = ev.target;
  clearErrors(form);
  const at = `${isoDate($("#le-ngay").value)}T${$("#le-gio").value.trim()}:00+07:00`;
  const r = await api(`/dossiers/${current.dossier_id}/ceremony`, { method: "PUT",
    json: { ceremony_at: at, place: $("#le-noi").value.trim() } });
  if (r.ok) {
    const c = await r.json();
    $("#le-da-hen").textContent = `Đã hẹn lễ trao: ${c.ceremony_time_vi}, tại ${c.place}.`;
  } else showErrors(form, await r.json());
}

// ---- search ----
async function onSearch(ev) {
  ev.preventDefault();
  const text = $("#tu-khoa").value.trim();
  $("#loi-q").textContent = "";
  // A dossier code has dots and dashes; anything else is a name, ID number or phone.
  const query = /^[\d.]+[A-Z]\d*-\d{6}-\d+$|^\d{3}\./.test(text)
    ? `code=${encodeURIComponent(text)}` : `q=${encodeURIComponent(text)}`;
  const r = await api(`/dossiers?${query}&limit=50`);
  const body = await r.json();
  const tbody = $("#ket-qua tbody");
  tbody.replaceChildren();
  if (!r.ok) { $("#loi-q").textContent = body.message; return; }
  if (!body.items.length) {
    tbody.append(el("tr", {}, el("td", { colspan: "4" }, "Không tìm thấy hồ sơ nào.")));
  }
  for (const d of body.items) {
    tbody.append(el("tr", {},
      el("td", {}, el("button", { type: "button", on: { click: async () => {
        const one = await api(`/dossiers/${d.dossier_id}`);
        if (one.ok) openDossier(await one.json());
      } } }, d.code)),
      el("td", {}, d.applicant_name), el("td", {}, d.status_vi), el("td", {}, vnDateTime(d.due_at))));
  }
}

// ---- duty roster ----
const WEEKDAY_VI = { 1: "Thứ Hai", 2: "Thứ Ba", 3: "Thứ Tư", 4: "Thứ Năm", 5: "Thứ Sáu",
  6: "Thứ Bảy", 7: "Chủ nhật" };
const leaderText = (l) => (l ? `${l.title_vi || ""} (${l.official_id})` : "—");
async function showRoster() {
  show("lich-truc");
  const box = $("#bang-lich-truc");
  const r = await api("/duty-roster");
  const body = await r.json();
  if (!r.ok) { box.textContent = body.message; return; }
  const table = el("table", {}, el("caption", { class: "sr" }, "Lịch trực theo ngày"),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Ngày"),
      el("th", { scope: "col" }, "Lãnh đạo trực"))));
  const tbody = el("tbody");
  for (const w of body.weekdays) {
    tbody.append(el("tr", {}, el("td", {}, WEEKDAY_VI[w.weekday] || String(w.weekday)),
      el("td", {}, leaderText(w.leader))));
  }
  for (const d of body.dates) {
    const [y, m, dd] = String(d.date).split("-");
    tbody.append(el("tr", {}, el("td", {}, `${dd}/${m}/${y}`), el("td", {}, leaderText(d.leader))));
  }
  tbody.append(el("tr", {}, el("td", {}, "Các ngày khác"), el("td", {}, leaderText(body.leader_on_duty))));
  table.append(tbody);
  box.replaceChildren(table);
}

// ---- wiring ----
async function main() {
  config = await (await fetch("/ban-tiep-nhan/cau-hinh")).json();
  $("#form-tiep-nhan").addEventListener("submit", onRegister);
  $("#thu-tuc").addEventListener("change", onProcedure);
  $("#xac-minh").addEventListener("change", preview);
  $("#form-tra-cuu").addEventListener("submit", onSearch);
  $("#form-le-trao").addEventListener("submit", onCeremony);
  $("#dang-xuat").addEventListener("click", () => { signOut(); showSignIn(); });
  for (const b of document.querySelectorAll("nav [data-view]")) {
    b.addEventListener("click", () => (b.dataset.view === "lich-truc" ? showRoster() : show(b.dataset.view)));
  }
  window.addEventListener("online", flush);
  setInterval(flush, 15_000);
  if (config.sign_in === "oidc") {
    try { await oidcFinish(config); } catch (e) { return showSignIn(e.message); }
  }
  await start();
  document.body.dataset.ready = "1"; // for the browser tests: interactive
}

main();
