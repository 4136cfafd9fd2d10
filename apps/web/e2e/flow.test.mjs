// End-to-end flow against the real running stack (docs/spec.md#web-ui):
// as an admin, create and restock the order's SKU on /inventory (the other SKUs
// through the API) → login → create an order → it is listed → open it → pay (optimistic: the UI
// updates before the server answers) → cancel is refused with a toast →
// as an admin, /stats shows the SKU; a forced access-token expiry is survived
// by the refresh flow; no token ever lands in Web Storage. Screenshots of each
// page go to artifacts/screenshots/ at desktop and phone width.
//
// Run: npm run e2e   (env: E2E_BASE_URL, E2E_USER_EMAIL/E2E_USER_PASSWORD,
//                     E2E_ADMIN_EMAIL/E2E_ADMIN_PASSWORD, E2E_ACCESS_TTL_SECONDS)
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import {
  BASE_URL,
  STATS_TIMEOUT_MS,
  VIEWPORTS,
  adminCredentials,
  chartDrawn,
  createStock,
  ensureUser,
  launchBrowser,
  login,
  placeOrder,
  screenshot,
  setOrderStatus,
  sleep,
  tokensInStorage,
  uniqueSku,
} from "./lib.mjs";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const T = { timeout: 60_000 };

describe("orderflow web E2E", { concurrency: false }, () => {
  let browser;
  let user;
  let context;
  let page;
  let tokens;
  const sku = uniqueSku();
  let orderId;
  const secrets = [];

  before(async () => {
    browser = await launchBrowser();
    user = await ensureUser();
    context = await browser.newContext(VIEWPORTS.desktop);
    page = await context.newPage();
    // Collect every token the browser receives so the storage check can look
    // for them verbatim.
    page.on("response", async (r) => {
      if (/\/api\/auth\/(login|refresh)$/.test(r.url()) && r.status() === 200) {
        const body = await r.json().catch(() => null);
        if (body) secrets.push(body.access_token, body.refresh_token);
      }
    });
  });

  after(async () => {
    await browser?.close();
  });

  it("as an admin, creates a SKU on /inventory, restocks it and sees the numbers", T, async () => {
    const adminContext = await browser.newContext(VIEWPORTS.desktop);
    const adminPage = await adminContext.newPage();
    const adminTokens = await login(adminPage, adminCredentials());
    await adminPage
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Inventory" })
      .click();
    await adminPage.getByRole("heading", { name: "Inventory" }).waitFor();

    await adminPage.getByTestId("new-sku").click();
    const create = adminPage.getByRole("dialog", { name: "New SKU" });
    await create.getByLabel("SKU", { exact: true }).fill(sku);
    await create.getByLabel("On hand", { exact: true }).fill("5");
    const created = adminPage.waitForResponse(
      (r) => r.url().endsWith("/api/inventory/stock") && r.request().method() === "POST",
    );
    await create.getByRole("button", { name: "Create SKU" }).click();
    assert.equal((await created).status(), 201);
    await create.waitFor({ state: "hidden" });

    // Only this SKU, whatever else the stock holds.
    await adminPage.getByTestId("stock-prefix").fill(sku);
    const row = adminPage.locator(`[data-testid="stock-table"] tr[data-sku="${sku}"]`);
    await row.locator('[data-testid="stock-on-hand"]', { hasText: /^5$/ }).waitFor();

    await row.getByRole("button", { name: `Restock ${sku}` }).click();
    const restock = adminPage.getByRole("dialog", { name: `Restock ${sku}` });
    await restock.getByLabel("New on hand").fill("20");
    const restocked = adminPage.waitForResponse(
      (r) => r.url().endsWith("/on-hand") && r.request().method() === "PUT",
    );
    await restock.getByRole("button", { name: "Set stock" }).click();
    assert.equal((await restocked).status(), 200);
    await restock.waitFor({ state: "hidden" });
    await row.locator('[data-testid="stock-on-hand"]', { hasText: /^20$/ }).waitFor();
    assert.equal(await row.getByTestId("stock-available").textContent(), "20");
    assert.equal(await row.getByTestId("stock-reserved").textContent(), "0");
    await screenshot(adminPage, "inventory", "desktop");

    // The other SKUs the flow orders, so every order can be reserved.
    for (const other of [`${sku}-B`, `${sku}-C`, `${sku}-D`]) {
      await createStock(adminTokens.access_token, other, 100);
    }
    await adminContext.close();
  });

  it("logs in and lands on /orders", T, async () => {
    await page.goto(`${BASE_URL}/orders`);
    await page.waitForURL(/\/login/);
    await screenshot(page, "login", "desktop");
    tokens = await login(page, user);
    await page.getByRole("heading", { name: "Orders" }).waitFor();
    await page.getByTestId("user-menu").waitFor();
    await screenshot(page, "orders", "desktop");
    assert.deepEqual(await tokensInStorage(page, [tokens.access_token, tokens.refresh_token]), []);
  });

  it("creates an order with an Idempotency-Key and it appears in the list", T, async () => {
    await page.getByTestId("new-order").click();
    const dialog = page.getByRole("dialog", { name: "New order" });
    await dialog.waitFor();
    // Client-side validation mirrors the API: a too-short SKU is refused before any request.
    await page.locator("#items\\.0\\.sku").fill("x");
    await page.locator("#items\\.0\\.unitPrice").fill("1.234");
    await dialog.getByRole("button", { name: "Place order" }).click();
    await dialog.getByText("At least 3 characters").waitFor();
    await screenshot(page, "create-order-validation", "desktop");

    await page.locator("#items\\.0\\.sku").fill(sku);
    await page.locator("#items\\.0\\.qty").fill("3");
    await page.locator("#items\\.0\\.unitPrice").fill("12.50");
    await dialog.getByRole("button", { name: "Add item" }).click();
    await page.locator("#items\\.1\\.sku").fill(`${sku}-B`);
    await page.locator("#items\\.1\\.unitPrice").fill("99");
    await dialog.getByTestId("create-order-total").filter({ hasText: "€136.50" }).waitFor();
    await screenshot(page, "create-order", "desktop");

    const posted = page.waitForResponse(
      (r) => r.url().endsWith("/api/orders") && r.request().method() === "POST",
    );
    await dialog.getByRole("button", { name: "Place order" }).click();
    const res = await posted;
    assert.equal(res.status(), 201, `POST /orders → ${res.status()}`);
    assert.match(res.request().headers()["idempotency-key"] ?? "", UUID);
    const order = await res.json();
    orderId = order.id;
    assert.equal(order.total_amount, 3 * 1250 + 9900);
    await dialog.waitFor({ state: "hidden" });
    await page.locator(`[data-order-id="${orderId}"]`).waitFor();
    await screenshot(page, "orders-after-create", "desktop");
  });

  it("opens the order", T, async () => {
    await page.locator(`[data-order-id="${orderId}"] a`).click();
    await page.waitForURL(new RegExp(`/orders/${orderId}$`));
    await page.getByTestId("order-total").filter({ hasText: "€136.50" }).waitFor();
    assert.equal(await page.getByTestId("order-id").textContent(), orderId);
    await page.locator('[data-testid="order-status"][data-status="created"]').first().waitFor();
    // The page follows the reservation by itself; Pay is enabled once the stock is held.
    await page
      .locator('[data-testid="order-reservation"][data-reservation="reserved"]')
      .waitFor({ timeout: 30_000 });
    await screenshot(page, "order-detail", "desktop");
  });

  let stalePage;

  it("pays with an optimistic update (the UI changes before the server answers)", T, async () => {
    // A second tab that still shows the order as "created", for the 409 below. It must not
    // learn of the payment: its live stream is refused, so it falls back to polling, and a
    // settled order is not polled (with the stream open, the tab would show "paid" at once).
    stalePage = await context.newPage();
    await stalePage.route("**/api/live/**", (route) => route.abort());
    await stalePage.goto(`${BASE_URL}/orders/${orderId}`);
    await stalePage
      .locator('[data-testid="order-status"][data-status="created"]')
      .first()
      .waitFor();

    let answered = false;
    await page.route(`**/api/orders/${orderId}/status`, async (route) => {
      await sleep(2_000); // hold the request so the optimistic state is observable
      await route.continue();
    });
    page.on("response", (r) => {
      if (r.url().endsWith(`/orders/${orderId}/status`)) answered = true;
    });
    const patched = page.waitForResponse((r) => r.url().endsWith(`/api/orders/${orderId}/status`));
    await page.getByRole("button", { name: /^Pay / }).click();
    await page
      .locator('[data-testid="order-status"][data-status="paid"]')
      .first()
      .waitFor({ timeout: 1_500 });
    assert.equal(answered, false, "the status changed only after the server answered");
    await screenshot(page, "order-paying", "desktop");
    const res = await patched;
    assert.equal(res.status(), 200);
    await page.unroute(`**/api/orders/${orderId}/status`);
    await page.locator("[data-sonner-toast]", { hasText: "Order paid" }).waitFor();
    await page.getByTestId("order-final-note").waitFor();
    await screenshot(page, "order-paid", "desktop");
  });

  it("refuses to cancel a paid order with a toast and rolls back", T, async () => {
    await stalePage.getByRole("button", { name: "Cancel order" }).click();
    const refused = stalePage.waitForResponse((r) =>
      r.url().endsWith(`/api/orders/${orderId}/status`),
    );
    await stalePage.getByRole("button", { name: "Yes, cancel order" }).click();
    assert.equal((await refused).status(), 409);
    await stalePage
      .locator("[data-sonner-toast]", { hasText: "Couldn't cancel this order" })
      .waitFor();
    // Rolled back, then refetched: the server's truth is "paid", never "canceled".
    await stalePage.locator('[data-testid="order-status"][data-status="paid"]').first().waitFor();
    assert.equal(
      await stalePage.locator('[data-testid="order-status"][data-status="canceled"]').count(),
      0,
    );
    await screenshot(stalePage, "order-cancel-refused", "desktop");
    await stalePage.close();
  });

  it("survives a forced access-token expiry through the refresh flow", T, async () => {
    // Back to the list inside the app (no reload: the access token stays in memory).
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Orders", exact: true })
      .click();
    await page.locator(`[data-order-id="${orderId}"]`).waitFor();

    const refreshes = [];
    const onRequest = (r) => {
      if (r.url().endsWith("/api/auth/refresh")) refreshes.push(r);
    };
    page.on("request", onRequest);
    const ttl = Number(process.env.E2E_ACCESS_TTL_SECONDS ?? 0);
    const natural = ttl > 0 && ttl <= 60;
    if (natural) {
      // The stack runs with a short ACCESS_TTL_SECONDS: let the token really expire.
      await sleep((ttl + 2) * 1000);
    } else {
      // Otherwise present an expired token to the real API once; it answers
      // 401 exactly as for an expired one, and the client must recover.
      let forced = 0;
      await page.route("**/api/orders?**", async (route) => {
        if (forced++ > 0) return route.continue();
        const headers = { ...route.request().headers(), authorization: "Bearer expired.e2e.token" };
        await route.continue({ headers });
      });
    }
    const unauthorized = page.waitForResponse(
      (r) => r.url().includes("/api/orders?") && r.status() === 401,
    );
    const retried = page.waitForResponse(
      (r) => r.url().includes("/api/orders?") && r.status() === 200,
    );
    await page.getByRole("button", { name: "Refresh orders" }).click();
    await unauthorized;
    const ok = await retried;
    assert.notEqual(ok.request().headers().authorization, "Bearer expired.e2e.token");
    await page.locator(`[data-order-id="${orderId}"]`).waitFor();
    assert.match(page.url(), /\/orders$/, "still signed in");
    assert.equal(refreshes.length, 1, "exactly one refresh for the 401");
    page.off("request", onRequest);
    if (!natural) await page.unroute("**/api/orders?**");
    assert.deepEqual(await tokensInStorage(page, secrets), []);
  });

  it("a failed refresh returns to /login", T, async () => {
    await context.clearCookies(); // the refresh cookie is gone (e.g. revoked)
    let forced = 0;
    await page.route("**/api/orders?**", async (route) => {
      if (forced++ > 0) return route.continue();
      const headers = { ...route.request().headers(), authorization: "Bearer expired.e2e.token" };
      await route.continue({ headers });
    });
    await page.getByRole("button", { name: "Refresh orders" }).click();
    await page.waitForURL(/\/login/);
    await page.unroute("**/api/orders?**");
    assert.deepEqual(await tokensInStorage(page, secrets), []);
  });

  it("shows non-admins a clear message on /stats", T, async () => {
    tokens = await login(page, user);
    await page.goto(`${BASE_URL}/stats`);
    await page.getByTestId("stats-admin-only").waitFor();
    await screenshot(page, "stats-non-admin", "desktop");
  });

  it("logs out from the header", T, async () => {
    await page.getByTestId("user-menu").click();
    await page.getByRole("menuitem", { name: "Log out" }).click();
    await page.waitForURL(/\/login/);
    await page.goto(`${BASE_URL}/orders`);
    await page.waitForURL(/\/login/); // the refresh cookie was revoked and cleared
    assert.deepEqual(await tokensInStorage(page, secrets), []);
  });

  it("as an admin, /stats shows the SKU", { timeout: STATS_TIMEOUT_MS + 60_000 }, async () => {
    const admin = adminCredentials();
    const adminContext = await browser.newContext(VIEWPORTS.desktop);
    const adminPage = await adminContext.newPage();
    await login(adminPage, admin);
    await adminPage.goto(`${BASE_URL}/stats?range=1h&sku=${encodeURIComponent(sku)}`);
    const row = adminPage.locator(`[data-testid="stats-table"] [data-sku="${sku}"]`).first();
    const deadline = Date.now() + STATS_TIMEOUT_MS;
    while (!(await row.isVisible())) {
      assert.ok(Date.now() < deadline, `SKU ${sku} did not reach /stats in ${STATS_TIMEOUT_MS} ms`);
      await sleep(3_000);
      await adminPage.getByRole("button", { name: "Refresh" }).click();
    }
    await chartDrawn(adminPage);
    await screenshot(adminPage, "stats-sku", "desktop");
    await adminPage.goto(`${BASE_URL}/stats?range=1h`);
    await adminPage.getByTestId("stats-table").first().waitFor();
    await chartDrawn(adminPage);
    await screenshot(adminPage, "stats", "desktop");
    assert.deepEqual(await tokensInStorage(adminPage), []);
    await adminContext.close();
  });

  it("takes phone-width screenshots of the user pages", { timeout: 120_000 }, async () => {
    const phone = await browser.newContext(VIEWPORTS.phone);
    const p = await phone.newPage();
    await p.goto(`${BASE_URL}/login`);
    await p.locator("#email").waitFor();
    await screenshot(p, "login", "phone");
    const phoneTokens = await login(p, user);
    await p.getByTestId("orders-table").waitFor();
    // Two more orders through the API (one left open, one canceled) so the
    // list screenshots show several rows, currencies and statuses.
    await placeOrder(phoneTokens.access_token, {
      currency: "HUF",
      items: [{ sku: `${sku}-C`, qty: 2, unit_price: 4990 }],
    });
    const canceled = await placeOrder(phoneTokens.access_token, {
      currency: "USD",
      items: [{ sku: `${sku}-D`, qty: 1, unit_price: 1999 }],
    });
    await setOrderStatus(phoneTokens.access_token, canceled.id, "canceled");
    await p.getByRole("button", { name: "Refresh orders" }).click();
    await p.locator("[data-order-id]").nth(2).waitFor();
    await screenshot(p, "orders", "phone");
    await p.setViewportSize(VIEWPORTS.desktop);
    await screenshot(p, "orders-list", "desktop");
    await p.setViewportSize(VIEWPORTS.phone);
    await p.getByTestId("new-order").click();
    await p.getByRole("dialog", { name: "New order" }).waitFor();
    await screenshot(p, "create-order", "phone");
    await p.keyboard.press("Escape");
    await p.goto(`${BASE_URL}/orders/${orderId}`);
    await p.getByTestId("order-total").waitFor();
    await screenshot(p, "order-detail", "phone");
    await p.goto(`${BASE_URL}/stats`);
    await p.getByTestId("stats-admin-only").waitFor();
    await screenshot(p, "stats-non-admin", "phone");
    await phone.close();
  });

  it("takes a phone-width screenshot of /stats as an admin", { timeout: 120_000 }, async () => {
    const adminPhone = await browser.newContext(VIEWPORTS.phone);
    const ap = await adminPhone.newPage();
    await login(ap, adminCredentials());
    await ap.goto(`${BASE_URL}/stats?range=1h`);
    await ap.getByTestId("stats-table").first().waitFor();
    await chartDrawn(ap);
    await screenshot(ap, "stats", "phone");
    await adminPhone.close();
  });
});
