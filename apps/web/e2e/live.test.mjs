// Live updates (issue 14): the admin's /stats page changes without a reload when an order
// is placed in another browser session — the change arrives over the live stream
// (`POST /api/live/tickets`, then an EventSource on `/api/live/stream`), not a 15 s poll.
//
// Run: npm run e2e (see flow.test.mjs for the environment).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import {
  BASE_URL,
  STATS_TIMEOUT_MS,
  VIEWPORTS,
  adminCredentials,
  ensureUser,
  launchBrowser,
  login,
  placeOrder,
  uniqueSku,
} from "./lib.mjs";

describe("live updates", { concurrency: false }, () => {
  let browser;

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  it(
    "the stats page shows an order placed in another session without a reload",
    { timeout: STATS_TIMEOUT_MS + 90_000 },
    async () => {
      const sku = uniqueSku();
      const adminContext = await browser.newContext(VIEWPORTS.desktop);
      const adminPage = await adminContext.newPage();
      const streams = [];
      adminPage.on("request", (r) => {
        if (r.url().includes("/api/live/stream")) streams.push(r.url());
      });
      await login(adminPage, adminCredentials());
      await adminPage.goto(`${BASE_URL}/stats?range=1h&sku=${encodeURIComponent(sku)}`);
      await adminPage
        .locator('[data-testid="live-status"][data-status="live"]')
        .waitFor({ timeout: 30_000 });
      await adminPage.getByText(`No orders of ${sku} in this range`).waitFor();
      assert.ok(streams.length >= 1, "the page opened the live stream");
      assert.ok(
        streams.every((u) => !/authorization|bearer|eyJ/i.test(decodeURIComponent(u))),
        "no access token in the stream URL (a one-time ticket instead)",
      );
      // A marker that a reload would wipe.
      await adminPage.evaluate(() => {
        window.__e2eSamePage = true;
      });

      // Another session: a user in a browser context of its own places an order.
      const userContext = await browser.newContext(VIEWPORTS.desktop);
      const userPage = await userContext.newPage();
      const tokens = await login(userPage, await ensureUser());
      await placeOrder(tokens.access_token, {
        currency: "EUR",
        items: [{ sku, qty: 2, unit_price: 1999 }],
      });

      // No click, no reload: the row appears by itself.
      await adminPage
        .locator(`[data-testid="stats-table"] [data-sku="${sku}"]`)
        .first()
        .waitFor({ timeout: STATS_TIMEOUT_MS });
      assert.equal(
        await adminPage.evaluate(() => window.__e2eSamePage === true),
        true,
        "the page was not reloaded",
      );
      assert.equal(
        await adminPage.getByTestId("live-status").getAttribute("data-status"),
        "live",
        "still on the live stream (not the polling fallback)",
      );
      await userContext.close();
      await adminContext.close();
    },
  );
});
