// The pipeline page (issue 14): the projector's consumer lag rises while the projector is
// stopped (`scripts/stack stop projector`) and falls after it starts again, on the page,
// without a reload. Screenshots of /pipeline at desktop and phone width go to
// docs/screenshots/ (pipeline-desktop.png, pipeline-phone.png).
//
// It stops and starts a service of the shared native stack: run it last (npm run e2e runs
// the files in name order) and never beside other suites.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import {
  VIEWPORTS,
  adminCredentials,
  docsScreenshot,
  launchBrowser,
  login,
  placeOrder,
  sleep,
  stackService,
  uniqueSku,
  waitUntil,
} from "./lib.mjs";

const PROJECTOR_GROUP = "orderflow-projector";
const ORDERS = 8;

describe("pipeline page", { concurrency: false }, () => {
  let browser;
  let context;
  let page;
  let projectorStopped = false;

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    // Whatever happened above, the shared stack gets its projector back.
    if (projectorStopped) stackService("start", "projector");
    await context?.close();
    await browser?.close();
  });

  it(
    "shows the projector's lag rising while it is stopped and falling after it restarts",
    { timeout: 300_000 },
    async () => {
      context = await browser.newContext(VIEWPORTS.desktop);
      page = await context.newPage();
      // The admin places the orders too: one sign-in (logins are rate-limited per IP).
      const tokens = await login(page, adminCredentials());
      await page
        .getByRole("navigation", { name: "Main" })
        .getByRole("link", { name: "Pipeline" })
        .click();
      await page.getByRole("heading", { name: "Pipeline" }).waitFor();
      await page
        .locator('[data-testid="live-status"][data-status="live"]')
        .waitFor({ timeout: 30_000 });

      const group = page.locator(`[data-testid="consumer-group"][data-group="${PROJECTOR_GROUP}"]`);
      const lagCell = group.getByTestId("group-total-lag");
      const readLag = async () => {
        const value = await lagCell.getAttribute("data-lag");
        return value === null || value === "" ? null : Number(value);
      };
      const baseline = await waitUntil(readLag, (v) => v !== null, {
        timeoutMs: 30_000,
        what: "the projector's lag is shown",
      });

      stackService("stop", "projector");
      projectorStopped = true;
      const sku = uniqueSku();
      for (let i = 0; i < ORDERS; i++) {
        await placeOrder(tokens.access_token, {
          currency: "EUR",
          items: [{ sku, qty: 1, unit_price: 100 + i }],
        });
      }

      // Published by the outbox worker, unread by the stopped projector: the lag climbs.
      const peak = await waitUntil(readLag, (v) => v !== null && v >= baseline + ORDERS, {
        timeoutMs: 90_000,
        what: `the projector's lag rises from ${baseline} by at least ${ORDERS}`,
      });
      await group.locator('[data-testid="lag-sparkline"]').waitFor();
      await sleep(2_500); // one more live sample, so the sparkline shows the climb
      await docsScreenshot(page, "pipeline", "desktop");

      stackService("start", "projector");
      projectorStopped = false;
      const drained = await waitUntil(readLag, (v) => v !== null && v < peak, {
        timeoutMs: 120_000,
        what: `the projector's lag falls below its peak of ${peak}`,
      });
      assert.ok(drained < peak);
      assert.match(page.url(), /\/pipeline$/, "the same page all along");
    },
  );

  it("takes a phone-width screenshot of /pipeline", { timeout: 60_000 }, async () => {
    await page.setViewportSize(VIEWPORTS.phone);
    await page.getByTestId("consumer-group").first().waitFor();
    await docsScreenshot(page, "pipeline", "phone");
  });
});
