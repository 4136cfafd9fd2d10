/**
 * The SKU rule of the API, in one place for every form (the server's owner is `Sku` in
 * crates/events; the OpenAPI document's pattern is `SKU_PATTERN.source`, a test checks it).
 */
import { z } from "zod";

export const SKU_MIN = 3;
export const SKU_MAX = 64;
/** A whole SKU: 3..64 of [A-Z0-9_-]. */
export const SKU_PATTERN = /^[A-Z0-9_-]{3,64}$/;
/** A prefix filter: the SKU alphabet, up to 64 characters (empty = no filter). */
export const SKU_PREFIX_PATTERN = /^[A-Z0-9_-]{0,64}$/;
const SKU_ALPHABET = /^[A-Z0-9_-]*$/;

/** A form field holding a SKU, with a message per broken part of the rule. */
export function skuField() {
  return z
    .string()
    .trim()
    .min(1, "Enter a SKU")
    .min(SKU_MIN, `At least ${SKU_MIN} characters`)
    .max(SKU_MAX, `At most ${SKU_MAX} characters`)
    .regex(SKU_ALPHABET, "Only A–Z, 0–9, “-” and “_”");
}
