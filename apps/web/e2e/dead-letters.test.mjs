// The dead-letter console (issue 14): a dead letter on orders.dlq — written as the consumers
// write them, carrying a valid OrderCreated (its cause counts as fixed) — is redriven from
// the UI after a confirmation, its state turns "redriven" and the operator log shows who
// did it; a second one is discarded and disappears from the list. Screenshots of
// /dead-letters at desktop and phone width go to docs/screenshots/.
//
// Needs the Python environment of tests/e2e (scripts/e2e-venv) to write the letters.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import {
  BASE_URL,
  VIEWPORTS,
  adminCredentials,
  docsScreenshot,
  launchBrowser,
  login,
  screenshot,
  uniqueSku,
  writeDeadLetter,
} from "./lib.mjs";

const T = { timeout: 120_000 };

describe("dead-letter console", { concurrency: false }, () => {
  let browser;
  let context;
  let page;
  let admin;
  // A reason of this run's own, so the filtered list holds exactly its letters.
  const reason = `web_e2e_${Date.now().toString(36)}`;
  const sku = uniqueSku();
  let redriven;
  let discarded;

  before(async () => {
    browser = await launchBrowser();
    admin = adminCredentials();
    redriven = writeDeadLetter(reason, sku);
    discarded = writeDeadLetter(reason, `${sku}-X`);
    context = await browser.newContext(VIEWPORTS.desktop);
    page = await context.newPage();
    await login(page, admin);
  });

  after(async () => {
    await browser?.close();
  });

  const path = (letter) => `orders.dlq/${letter.partition}/${letter.offset}`;
  const row = (letter) =>
    page.locator(`[data-testid="dead-letter-row"][data-letter="${path(letter)}"]`);

  /** Refreshes the list until `locator` shows (the broker has acknowledged the letters). */
  async function refreshUntilVisible(locator, what) {
    const deadline = Date.now() + 30_000;
    while (!(await locator.isVisible())) {
      assert.ok(Date.now() < deadline, `${what} did not show up`);
      await page.getByRole("button", { name: "Refresh" }).click();
      await page.waitForTimeout(1_000);
    }
  }
  const waitForRow = (letter) => refreshUntilVisible(row(letter), path(letter));

  it("lists the letters of orders.dlq with their reasons", T, async () => {
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Dead letters" })
      .click();
    await page.getByRole("heading", { name: "Dead letters" }).waitFor();
    await page.getByTestId("lateness-note").waitFor();
    await refreshUntilVisible(
      page.getByTestId("reason-filter").getByRole("button", { name: new RegExp(reason) }),
      `the reason ${reason}`,
    );
    await page.getByTestId("dead-letter-table").waitFor();
    await docsScreenshot(page, "dead-letters", "desktop");
  });

  it("redrives a dead letter from the UI and records it", T, async () => {
    await page.goto(`${BASE_URL}/dead-letters?topic=orders.dlq&reason=${reason}`);
    await waitForRow(redriven);
    assert.equal(await page.getByTestId("dead-letter-row").count(), 2, "only this run's letters");
    assert.equal(
      await row(redriven).getByTestId("dead-letter-state").getAttribute("data-state"),
      "dead",
    );

    await row(redriven)
      .getByRole("button", { name: `Details of ${path(redriven)}` })
      .click();
    const detail = page.getByTestId("dead-letter-detail");
    await detail.waitFor();
    assert.match(
      await detail.getByTestId("original-payload").textContent(),
      new RegExp(redriven.event_id),
    );
    await screenshot(page, "dead-letter-detail", "desktop");

    await detail.getByRole("button", { name: "Redrive" }).click();
    const confirm = page.getByRole("alertdialog", { name: "Redrive this dead letter?" });
    await confirm.getByText(/lateness bound/).waitFor();
    const posted = page.waitForResponse(
      (r) =>
        r.url().endsWith(`/api/admin/dead-letters/${path(redriven)}/redrive`) &&
        r.request().method() === "POST",
    );
    await confirm.getByRole("button", { name: "Redrive" }).click();
    const res = await posted;
    assert.equal(res.status(), 200, `redrive → ${res.status()}`);
    assert.deepEqual(await res.json(), { redriven: 1 });
    await page.locator("[data-sonner-toast]", { hasText: "Redrove" }).waitFor();
    await detail
      .locator('[data-testid="dead-letter-state"][data-state="redriven"]')
      .waitFor({ timeout: 15_000 });
    await page.keyboard.press("Escape");
    await detail.waitFor({ state: "hidden" });

    await row(redriven)
      .locator('[data-testid="dead-letter-state"][data-state="redriven"]')
      .waitFor();
    const logged = page.locator(
      `[data-testid="operator-action"][data-action="redrive"][data-target="${path(redriven)}"]`,
    );
    await logged.waitFor();
    assert.match(
      await logged.textContent(),
      new RegExp(admin.email.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")),
    );
  });

  it("discards a dead letter: hidden from the list, shown with 'Show discarded'", T, async () => {
    await waitForRow(discarded);
    await row(discarded).click();
    const detail = page.getByTestId("dead-letter-detail");
    await detail.getByRole("button", { name: "Discard" }).click();
    await page
      .getByRole("alertdialog", { name: "Discard this dead letter?" })
      .getByRole("button", { name: "Discard" })
      .click();
    await detail.waitFor({ state: "hidden" });
    await row(discarded).waitFor({ state: "detached" });
    await page
      .locator(
        `[data-testid="operator-action"][data-action="discard"][data-target="${path(discarded)}"]`,
      )
      .waitFor();

    // The checkbox mirrors the URL (?discarded=1), which updates a moment after the click:
    // click, then wait for it to be checked (`check()` asserts at once and can race).
    await page.getByLabel("Show discarded").click();
    await page.locator("#include-discarded:checked").waitFor();
    await row(discarded)
      .locator('[data-testid="dead-letter-state"][data-state="discarded"]')
      .waitFor();
  });

  it("takes a phone-width screenshot of /dead-letters", { timeout: 60_000 }, async () => {
    // The same signed-in page (logins are rate-limited per IP), narrowed.
    await page.setViewportSize(VIEWPORTS.phone);
    await page.goto(`${BASE_URL}/dead-letters`);
    await page.getByTestId("dead-letter-table").waitFor({ timeout: 30_000 });
    await docsScreenshot(page, "dead-letters", "phone");
  });
});
