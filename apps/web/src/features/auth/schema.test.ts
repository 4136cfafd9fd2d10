import { describe, expect, it } from "vitest";

import { loginFormSchema } from "./schema";

describe("loginFormSchema", () => {
  it("accepts an email and a password", () => {
    expect(loginFormSchema.safeParse({ email: " a@b.co ", password: "x" })).toMatchObject({
      success: true,
      data: { email: "a@b.co", password: "x" },
    });
  });

  it("requires a valid email and a password", () => {
    const r = loginFormSchema.safeParse({ email: "nope", password: "" });
    expect(r.success).toBe(false);
    const fields = r.error?.issues.map((i) => i.path.join("."));
    expect(fields).toEqual(expect.arrayContaining(["email", "password"]));
  });
});
