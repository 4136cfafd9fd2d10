import fs from "node:fs";

import { describe, expect, it } from "vitest";

import {
  OPENAPI_PATH,
  SCHEMA_PATH,
  generateSchema,
  snapshotStatus,
} from "../../scripts/openapi-gen.mjs";

const committed = fs.readFileSync(SCHEMA_PATH, "utf8");

describe("generated API client types (src/api/schema.d.ts)", () => {
  it("is up to date with apps/api/openapi.json (run `npm run gen:api` if this fails)", async () => {
    const fresh = await generateSchema(OPENAPI_PATH);
    expect(committed, "src/api/schema.d.ts is stale: run `npm run gen:api` in apps/web").toBe(
      fresh,
    );
  });

  it("comes from a snapshot that describes every endpoint the UI calls", () => {
    const status = snapshotStatus();
    expect(status.exists, "apps/api/openapi.json is missing").toBe(true);
    expect(status.missing, "paths the UI calls but the API snapshot lacks").toEqual([]);
    expect(committed).not.toContain("PROVISIONAL");
  });

  it("the generator pipeline produces openapi-fetch types from a document", async () => {
    const out = await generateSchema({
      openapi: "3.1.0",
      info: { title: "t", version: "1" },
      paths: {
        "/me": {
          get: {
            responses: {
              "200": {
                description: "ok",
                content: { "application/json": { schema: { $ref: "#/components/schemas/User" } } },
              },
            },
          },
        },
      },
      components: {
        schemas: {
          User: {
            type: "object",
            required: ["id", "email"],
            properties: { id: { type: "string", format: "uuid" }, email: { type: "string" } },
          },
        },
      },
    });
    expect(out).toContain("export interface paths");
    expect(out).toContain('"/me"');
    expect(out).toMatch(/User: \{[\s\S]*email: string;/);
  });
});
