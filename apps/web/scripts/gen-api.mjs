#!/usr/bin/env node
// npm run gen:api — regenerate src/api/schema.d.ts from apps/api/openapi.json.
// Refuses (exit 1) while the snapshot is missing or lacks paths the UI calls,
// so it never replaces the provisional contract with one the UI cannot build
// against; `npm run gen:api -- --force` writes it anyway.
import fs from "node:fs";
import path from "node:path";

import {
  OPENAPI_PATH,
  SCHEMA_PATH,
  WEB_ROOT,
  generateSchema,
  snapshotStatus,
} from "./openapi-gen.mjs";

const rel = (p) => path.relative(WEB_ROOT, p);
const force = process.argv.includes("--force");
const status = snapshotStatus();

if (!status.exists) {
  console.error(
    `gen:api: ${rel(OPENAPI_PATH)} does not exist yet; src/api/schema.d.ts stays the provisional contract.`,
  );
  process.exit(1);
}
if (!status.complete && !force) {
  console.error(
    `gen:api: ${rel(OPENAPI_PATH)} lacks paths the UI calls: ${status.missing.join(", ")}.\n` +
      "Kept the provisional src/api/schema.d.ts. Use `npm run gen:api -- --force` to write it anyway.",
  );
  process.exit(1);
}
fs.writeFileSync(SCHEMA_PATH, await generateSchema(OPENAPI_PATH));
console.log(`gen:api: wrote ${rel(SCHEMA_PATH)} from ${rel(OPENAPI_PATH)}`);
