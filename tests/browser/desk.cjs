// Drives the desk in Debian's chromium with playwright-core: sign in, register, print, move
// the dossier to hand-over (clerk, then the leader decides), register offline, and measure the
// first load at 256 kbit/s. Env: PLAYWRIGHT_CORE, CHROMIUM, URL, ARTIFACTS, USER_DATA_DIR.
"use strict";
const { chromium } = require(process.env.PLAYWRIGHT_CORE);
const path = require("path");

const TENANT = "chieng-khuong";
const shot = (page, name) =>
  page.screenshot({ path: path.join(process.env.ARTIFACTS, `desk-${name}.png`), fullPage: true });

async function signIn(page, role) {
  await page.click(`#dang-nhap-nut button[data-role="${role}"][data-tenant="${TENANT}"]`);
  await page.waitForSelector("#tiep-nhan:not([hidden]) #thu-tuc option[value='2.000884']",
    { state: "attached", timeout: 15000 });
}

async function signOut(page) {
  await page.click("#dang-xuat");
  await page.waitForSelector("#dang-nhap:not([hidden]) #dang-nhap-nut button", { timeout: 15000 });
}

async function fill(page, who) {
  await page.selectOption("#thu-tuc", "2.000884");
  await page.waitForSelector("#danh-muc-giay-to input[type=checkbox]", { timeout: 15000 });
  for (const box of await page.$$("#danh-muc-giay-to input[type=checkbox]")) await box.check();
  await page.fill("#ho-ten", who.name);
  await page.fill("#ngay-sinh", "12/04/1995");
  await page.fill("#so-dinh-danh", who.id);
  await page.fill("#dien-thoai", "0912345678");
  await page.fill("#dia-chi", "Bản Hìn, xã Chiềng Khương, tỉnh Sơn La");
}

async function openByCode(page, code) {
  await page.click("nav [data-view='tra-cuu']");
  await page.fill("#tu-khoa", code);
  await page.click("#form-tra-cuu button[type=submit]");
  await page.click(`#ket-qua tbody button:text("${code}")`, { timeout: 15000 });
  await page.waitForSelector("#ho-so:not([hidden])", { timeout: 15000 });
}

async function step(page, action) {
  const before = await page.textContent("#chi-tiet");
  await page.click(`#nut-buoc button[data-action="${action}"]`);
  await page.waitForFunction((b) => document.querySelector("#chi-tiet").textContent !== b ||
    !document.querySelector("#loi-buoc").hidden, before, { timeout: 15000 });
  if (await page.isVisible("#loi-buoc")) {
    await shot(page, "loi-buoc");
    throw new Error(`${action}: ${await page.textContent("#loi-buoc")}`);
  }
}

async function measure(context, url) {
  // A cold first visit at 256 kbit/s both ways, 150 ms latency (a weak border-commune link).
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false, latency: 150, downloadThroughput: 256000 / 8, uploadThroughput: 256000 / 8,
  });
  let bytes = 0;
  const files = [];
  cdp.on("Network.loadingFinished", (e) => { bytes += e.encodedDataLength; files.push(e.encodedDataLength); });
  const started = Date.now();
  await page.goto(url, { waitUntil: "load" });
  await page.waitForSelector("body[data-ready='1']", { timeout: 60000 });
  const interactiveMs = Date.now() - started;
  await page.waitForLoadState("networkidle");
  await page.close();
  return { pageBytes: bytes, requests: files.length, interactiveMs };
}

(async () => {
  const result = { external: [], errors: [] };
  const context = await chromium.launchPersistentContext(process.env.USER_DATA_DIR, {
    executablePath: process.env.CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    locale: "vi-VN",
    timezoneId: "Asia/Ho_Chi_Minh",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    result.throttled = await measure(context, process.env.URL);
    const page = context.pages()[0] || (await context.newPage());
    page.on("pageerror", (e) => result.errors.push(String(e)));
    page.on("dialog", (d) =>
      d.accept(d.message().startsWith("Chuyển") ? "tu-phap-ho-tich" : "Bản sao giấy tờ tùy thân"));
    page.on("request", (r) => {
      if (r.url().startsWith("http") && new URL(r.url()).hostname !== "127.0.0.1") result.external.push(r.url());
    });
    await page.goto(process.env.URL, { waitUntil: "load" });
    await page.waitForSelector("#dang-nhap-nut button[data-role]", { timeout: 15000 });
    await shot(page, "1-dang-nhap");
    result.navBeforeSignIn = await page.isVisible("#dieu-huong");

    // Clerk: a wrong ID number is shown beside its field, from the 422 body.
    await signIn(page, "clerk");
    result.who = await page.textContent("#ai-dang-dung");
    await fill(page, { name: "Lò Văn Thử", id: "0141" });
    await page.waitForFunction(() => /\d{2}\/\d{2}\/\d{4}/.test(document.querySelector("#han-tra").textContent), null, { timeout: 15000 });
    result.previewDue = await page.textContent("#han-tra");
    await page.click("#nut-tiep-nhan");
    await page.waitForSelector("#loi-applicant\\.id_number:not(:empty)", { timeout: 15000 });
    result.idError = await page.textContent("#loi-applicant\\.id_number");
    result.idInvalid = await page.getAttribute("#so-dinh-danh", "aria-invalid");
    await shot(page, "2-loi-truong");
    await page.fill("#so-dinh-danh", "014195000001");
    await page.click("#nut-tiep-nhan");
    await page.waitForSelector("#ho-so:not([hidden])", { timeout: 15000 });
    result.detail = await page.textContent("#chi-tiet");
    result.code = (await page.textContent("#chi-tiet dd")).trim();
    await shot(page, "3-ho-so");

    // Through the steps, only the offered ones: accept, transfer; the leader decides.
    result.offeredAtReceipt = await page.$$eval("#nut-buoc button", (b) => b.map((x) => x.dataset.action));
    await step(page, "accept");
    // Form 01, once accepted: fetched with the bearer token and opened as a blob URL.
    const [popup] = await Promise.all([context.waitForEvent("page"), page.click("#in-mau-01")]);
    await popup.waitForURL(/^blob:/, { timeout: 15000 }).catch(() => {});
    result.receiptUrl = popup.url();
    result.printError = await page.textContent("#loi-buoc");
    await popup.close();

    result.offeredAccepted = await page.$$eval("#nut-buoc button", (b) => b.map((x) => x.dataset.action));
    await shot(page, "3b-da-nhan-du");
    await step(page, "transfer");
    await signOut(page);
    await signIn(page, "leader");
    await openByCode(page, result.code);
    await shot(page, "4a-lanh-dao-ho-so");
    await step(page, "decision");
    result.ceremonyFormShown = await page.isVisible("#form-le-trao");
    await page.click("nav [data-view='lich-truc']");
    await page.waitForSelector("#bang-lich-truc tbody tr", { timeout: 15000 });
    result.roster = await page.$$eval("#bang-lich-truc tbody tr td:first-child", (n) => n.map((x) => x.textContent));
    await shot(page, "4-lich-truc");
    await signOut(page);

    // Clerk again: schedule nothing (not a ceremony procedure), mark ready and hand over.
    await signIn(page, "clerk");
    await openByCode(page, result.code);
    await step(page, "result-ready");
    await step(page, "result-returned");
    result.finalDetail = await page.textContent("#chi-tiet");
    result.finalSteps = await page.textContent("#nut-buoc");
    await shot(page, "5-da-tra");

    // Offline: typed while the link is down, kept, sent once when it returns.
    await page.click("nav [data-view='tiep-nhan']");
    await context.setOffline(true);
    await fill(page, { name: "Lường Thị Mất Mạng", id: "014195000002" });
    await page.click("#nut-tiep-nhan");
    await page.waitForSelector("#hang-cho:not([hidden])", { timeout: 15000 });
    result.pendingText = await page.textContent("#hang-cho");
    result.checklistAfterReset = await page.$$eval("#danh-muc-giay-to input", (n) => n.length);
    await shot(page, "6-cho-gui");
    await context.setOffline(false);
    await page.waitForSelector("#hang-cho[hidden]", { state: "attached", timeout: 30000 });
    result.pendingAfter = await page.evaluate(() => localStorage.getItem("motcua.desk.pending"));

    // PKCE as the production sign-in sends it: RFC 7636 appendix B's verifier and challenge.
    result.pkce = await page.evaluate(async () =>
      (await import("/ban-tiep-nhan/static/auth.js")).challengeOf("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));

    // Keyboard: the sign-out button is reachable and a real button.
    await page.focus("#dang-xuat");
    result.focusedIsButton = await page.evaluate(() => document.activeElement.tagName === "BUTTON");
  } finally {
    await context.close();
  }
  process.stdout.write(JSON.stringify(result));
})().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
