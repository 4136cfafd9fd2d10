// Shared helpers for the E2E suite: playwright-core driving Debian's chromium
// against the real running stack (UI + API behind the /api proxy).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));

export const BASE_URL = (process.env.E2E_BASE_URL ?? "http://127.0.0.1:5173").replace(/\/+$/, "");
export const API_URL = `${BASE_URL}/api`;
export const SCREENSHOT_DIR = path.resolve(
  process.env.E2E_SCREENSHOT_DIR ?? path.join(here, "../../../artifacts/screenshots"),
);
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** How long the stats pipeline (outbox → Kafka → Flink → Mongo) may take. */
export const STATS_TIMEOUT_MS = Number(process.env.E2E_STATS_TIMEOUT_MS ?? 180_000);

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
};

/**
 * Launches Debian's chromium headless. Playwright gives every launch a fresh
 * temporary profile (user-data-dir), and every test its own isolated context.
 */
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    newContext: (viewport = VIEWPORTS.desktop) =>
      browser.newContext({ viewport, locale: "en-US", timezoneId: "UTC" }),
    close: () => browser.close(),
  };
}

export async function screenshot(page, name, viewportName) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${viewportName}-${name}.png`);
  // Finite CSS animations (dialog zoom-in, toast slide-in) are fast-forwarded
  // to their end state, so no screenshot catches a half-open dialog.
  await page.screenshot({ path: file, fullPage: true, animations: "disabled" });
  return file;
}

/** Waits until the lazily loaded /stats chart has drawn its bars. */
export async function chartDrawn(page) {
  await page.locator('[data-testid="stats-chart"] .recharts-bar-rectangle').first().waitFor();
}

export function uniqueSku() {
  return `E2E-${Date.now().toString(36).toUpperCase()}-${Math.random().toString(36).slice(2, 6).toUpperCase()}`;
}

/** Registers a throwaway user through the API (docs/spec.md#post-authregister) unless env provides one. */
export async function ensureUser() {
  if (process.env.E2E_USER_EMAIL && process.env.E2E_USER_PASSWORD) {
    return { email: process.env.E2E_USER_EMAIL, password: process.env.E2E_USER_PASSWORD };
  }
  const email = `e2e-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const password = `Orderflow-E2e-${Math.random().toString(36).slice(2, 10)}-9!`;
  const res = await fetch(`${API_URL}/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password, role: "user" }),
  });
  if (res.status !== 201) {
    throw new Error(`registering an E2E user failed: HTTP ${res.status} ${await res.text()}`);
  }
  return { email, password };
}

export function adminCredentials() {
  const email = process.env.E2E_ADMIN_EMAIL;
  const password = process.env.E2E_ADMIN_PASSWORD;
  if (!email || !password) {
    throw new Error(
      "E2E_ADMIN_EMAIL and E2E_ADMIN_PASSWORD must name an admin (scripts/seed.sh creates one)",
    );
  }
  return { email, password };
}

/** Signs in through the UI; resolves to the login response's token pair. */
export async function login(page, { email, password }) {
  await page.goto(`${BASE_URL}/login`);
  await page.locator("#email").fill(email);
  await page.locator("#password").fill(password);
  const response = page.waitForResponse(
    (r) => r.url().endsWith("/api/auth/login") && r.request().method() === "POST",
  );
  await page.getByRole("button", { name: "Sign in" }).click();
  const res = await response;
  if (res.status() !== 200) throw new Error(`login failed: HTTP ${res.status()}`);
  await page.waitForURL(/\/orders$/);
  return res.json();
}

/** POST /orders straight to the API (through the /api proxy); resolves to the order. */
export async function placeOrder(accessToken, body) {
  const res = await fetch(`${API_URL}/orders`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${accessToken}`,
      "content-type": "application/json",
      "idempotency-key": crypto.randomUUID(),
    },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`POST /orders: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

/** POST /inventory/stock straight to the API (admins): a SKU the flow's orders can reserve. */
export async function createStock(accessToken, sku, onHand) {
  const res = await fetch(`${API_URL}/inventory/stock`, {
    method: "POST",
    headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
    body: JSON.stringify({ sku, on_hand: onHand }),
  });
  if (res.status !== 201) {
    throw new Error(`POST /inventory/stock: HTTP ${res.status} ${await res.text()}`);
  }
  return res.json();
}

/** PATCH /orders/{id}/status straight to the API. */
export async function setOrderStatus(accessToken, id, status) {
  const res = await fetch(`${API_URL}/orders/${id}/status`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
    body: JSON.stringify({ status }),
  });
  if (res.status !== 200) throw new Error(`PATCH status: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;

/**
 * Asserts that neither Web Storage area holds a token: no JWT-looking value,
 * and none of the given secrets (the access and refresh tokens seen on the
 * wire). Returns what was found for diagnostics.
 */
export async function tokensInStorage(page, secrets = []) {
  const dump = await page.evaluate(() => {
    const read = (s) =>
      Object.fromEntries(
        Array.from({ length: s.length }, (_, i) => s.key(i)).map((k) => [k, s.getItem(k)]),
      );
    return { local: read(window.localStorage), session: read(window.sessionStorage) };
  });
  const hits = [];
  for (const [area, entries] of Object.entries(dump)) {
    for (const [k, v] of Object.entries(entries)) {
      const text = `${k}=${v}`;
      if (JWT.test(text) || secrets.some((s) => s && text.includes(s)) || /token/i.test(k)) {
        hits.push(`${area}Storage[${k}]`);
      }
    }
  }
  return hits;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The inventory HTTP API (docs/spec.md#inventory-http-api): the inventory service's internal
 * API by default; the api's public /inventory routes serve the same paths
 * (E2E_INVENTORY_URL=http://127.0.0.1:5173/api/inventory).
 */
export const INVENTORY_URL = (process.env.E2E_INVENTORY_URL ?? "http://127.0.0.1:8010").replace(
  /\/+$/,
  "",
);

/**
 * Stock for the SKUs a test orders, as the admin: the inventory saga reserves an order (and
 * the order becomes payable) only when every line's stock is there. Creates each SKU with
 * `onHand`, or raises an existing one's on_hand to at least that.
 */
export async function ensureStock(skus, onHand = 100) {
  const login = await fetch(`${API_URL}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(adminCredentials()),
  });
  if (login.status !== 200)
    throw new Error(`admin login for stock setup: HTTP ${login.status} ${await login.text()}`);
  const { access_token: token } = await login.json();
  const call = (method, path, body) =>
    fetch(`${INVENTORY_URL}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  for (const sku of skus) {
    const created = await call("POST", "/stock", { sku, on_hand: onHand });
    if (created.status === 201) continue;
    const text = await created.text();
    if (created.status !== 409 || !text.includes("SKU_EXISTS")) {
      throw new Error(`creating stock ${sku}: HTTP ${created.status} ${text}`);
    }
    const item = await (await call("GET", `/stock/${encodeURIComponent(sku)}`)).json();
    if (item.on_hand >= onHand) continue;
    const set = await call("PUT", `/stock/${encodeURIComponent(sku)}/on-hand`, { on_hand: onHand });
    if (set.status !== 200)
      throw new Error(`restocking ${sku}: HTTP ${set.status} ${await set.text()}`);
  }
}

const REPO_ROOT = path.resolve(here, "../../..");

/**
 * Screenshots the README and docs embed, saved as `docs/screenshots/<name>-<viewport>.png`
 * (E2E_DOCS_SCREENSHOT_DIR overrides the directory).
 */
export const DOCS_SCREENSHOT_DIR = path.resolve(
  process.env.E2E_DOCS_SCREENSHOT_DIR ?? path.join(REPO_ROOT, "docs/screenshots"),
);

export async function docsScreenshot(page, name, viewportName) {
  fs.mkdirSync(DOCS_SCREENSHOT_DIR, { recursive: true });
  const file = path.join(DOCS_SCREENSHOT_DIR, `${name}-${viewportName}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: "disabled" });
  return file;
}

/** `scripts/stack stop|start NAME`: one service of the running native stack. */
export function stackService(action, name) {
  execFileSync(path.join(REPO_ROOT, "scripts/stack"), [action, name], {
    stdio: ["ignore", "inherit", "inherit"],
    timeout: 120_000,
  });
}

/** The native stack's broker list: KAFKA_BROKERS, else the stack's environment file. */
export function kafkaBrokers() {
  if (process.env.KAFKA_BROKERS) return process.env.KAFKA_BROKERS;
  const state = process.env.ORDERFLOW_STATE ?? path.join(os.homedir(), ".local/state/orderflow");
  try {
    const env = fs.readFileSync(path.join(state, "stack.env"), "utf8");
    const line = env.split("\n").find((l) => l.startsWith("KAFKA_BROKERS="));
    if (line) return line.slice("KAFKA_BROKERS=".length).trim();
  } catch {
    // no stack environment: the default below
  }
  return "127.0.0.1:9092";
}

/**
 * Writes a redrivable dead letter to orders.dlq (e2e/fixtures/dead_letter.py, run with the
 * Python environment of tests/e2e from scripts/e2e-venv). Resolves to
 * `{partition, offset, event_id, order_id, sku}`.
 */
export function writeDeadLetter(errorCode, sku) {
  const venv = execFileSync(path.join(REPO_ROOT, "scripts/e2e-venv"), { encoding: "utf8" }).trim();
  const out = execFileSync(
    path.join(venv, "bin/python"),
    [path.join(here, "fixtures/dead_letter.py"), kafkaBrokers(), errorCode, sku],
    { encoding: "utf8", timeout: 60_000 },
  );
  return JSON.parse(out.trim().split("\n").at(-1));
}

/** Polls `read` until `done(value)` holds; resolves to that value (or throws after `timeoutMs`). */
export async function waitUntil(read, done, { timeoutMs, intervalMs = 500, what }) {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(value)})`);
    }
    await sleep(intervalMs);
    value = await read();
  }
  return value;
}
