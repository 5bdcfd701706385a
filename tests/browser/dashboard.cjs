// Drives Debian's chromium with playwright-core: load, click a commune, check, screenshot.
// Env: PLAYWRIGHT_CORE (module path), CHROMIUM, URL, SCREENSHOT, USER_DATA_DIR.
"use strict";
const { chromium } = require(process.env.PLAYWRIGHT_CORE);

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
    const page = context.pages()[0] || (await context.newPage());
    page.on("pageerror", (e) => result.errors.push(String(e)));
    page.on("request", (r) => {
      const host = new URL(r.url()).hostname;
      if (host !== "127.0.0.1" && r.url().startsWith("http")) result.external.push(r.url());
    });
    const started = Date.now();
    await page.goto(process.env.URL, { waitUntil: "load" });
    await page.waitForSelector("#bang-xep-hang tbody tr button.link", { timeout: 15000 });
    result.loadMs = Date.now() - started;
    result.tokenLeftInUrl = page.url().includes("token=");
    result.cards = await page.$$eval("#the-chi-so .card .label", (n) => n.map((x) => x.textContent));
    result.ranking = await page.$$eval("#bang-xep-hang tbody tr", (rows) =>
      rows.map((r) => r.querySelector("button").textContent));
    result.late = await page.$$eval("#bang-tre-han tbody tr", (rows) => rows.length);
    result.pilotShown = await page.isVisible("#khu-thi-diem");
    // Keyboard: the commune button is a real button, reachable and activated with Enter.
    const target = page.locator("#bang-xep-hang button.link", { hasText: "Chiềng Khương" });
    await target.focus();
    result.focusedIsButton = await page.evaluate(() => document.activeElement.tagName === "BUTTON");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#chi-tiet-xa:not([hidden]) #bang-thu-tuc tbody tr", { timeout: 15000 });
    result.drillTitle = await page.textContent("#tieu-de-xa");
    result.scope = await page.textContent("#pham-vi");
    result.procedures = await page.$$eval("#bang-thu-tuc tbody th", (n) => n.map((x) => x.textContent));
    result.focusAfterDrill = await page.evaluate(() => document.activeElement.id);
    result.receivedCard = await page.textContent("#the-chi-so .card:nth-child(7) .value");
    await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
  } finally {
    await context.close();
  }
  process.stdout.write(JSON.stringify(result));
})().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
