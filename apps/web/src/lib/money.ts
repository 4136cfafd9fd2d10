/**
 * Money is an integer in the currency's minor unit as the platform counts it
 * (docs/spec.md#timestamps-and-money): HUF in forint (no fraction), EUR/USD in cents. Conversions here
 * never go through floating-point arithmetic on user input.
 */
import type { Currency } from "@/api/types";

export const CURRENCIES = ["HUF", "EUR", "USD"] as const satisfies readonly Currency[];

export const MINOR_DIGITS: Record<Currency, number> = { HUF: 0, EUR: 2, USD: 2 };

export const CURRENCY_LABELS: Record<Currency, string> = {
  HUF: "HUF — Hungarian forint",
  EUR: "EUR — Euro",
  USD: "USD — US dollar",
};

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(currency: string, locale?: string) {
  const key = `${locale ?? ""}|${currency}`;
  let f = formatters.get(key);
  if (!f) {
    const digits = MINOR_DIGITS[currency as Currency] ?? 2;
    f = new Intl.NumberFormat(locale, {
      style: "currency",
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    formatters.set(key, f);
  }
  return f;
}

/** Formats an amount in minor units, e.g. (123456, "EUR") → "€1,234.56". */
export function formatMoney(minor: number, currency: string, locale?: string): string {
  const digits = MINOR_DIGITS[currency as Currency] ?? 2;
  return formatter(currency, locale).format(minor / 10 ** digits);
}

/** Formats a plain integer with grouping, e.g. 1234567 → "1,234,567". */
export function formatInteger(n: number, locale?: string): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(n);
}

/**
 * Parses a price typed in major units ("12.5", "12,50", "1 200") into minor
 * units. Returns null when the text is not a non-negative number with at most
 * the currency's number of decimals.
 */
export function parseMoneyInput(text: string, currency: Currency): number | null {
  const digits = MINOR_DIGITS[currency];
  const cleaned = text
    .trim()
    .replace(/[\s\u00a0_]/g, "")
    .replace(",", ".");
  const match = /^(\d+)(?:\.(\d*))?$/.exec(cleaned);
  if (!match) return null;
  const whole = match[1] ?? "0";
  const frac = match[2] ?? "";
  if (frac.length > digits) return null;
  const minorText = whole + frac.padEnd(digits, "0");
  const value = Number(minorText);
  return Number.isSafeInteger(value) ? value : null;
}

/** Inverse of parseMoneyInput for pre-filling inputs: (1250, "EUR") → "12.50". */
export function minorToInput(minor: number, currency: Currency): string {
  const digits = MINOR_DIGITS[currency];
  if (digits === 0) return String(minor);
  const s = String(minor).padStart(digits + 1, "0");
  return `${s.slice(0, -digits)}.${s.slice(-digits)}`;
}
