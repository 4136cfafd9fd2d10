/**
 * GET /stats/sku returns items of several currencies, grouped by currency. Amounts in
 * different currencies are never added up: every total here is per currency.
 */
import type { Currency, SkuStat } from "@/api/types";
import { MINOR_DIGITS } from "@/lib/money";

export interface CurrencyGroup {
  currency: Currency;
  items: SkuStat[];
  /** Ordered units. */
  qty: number;
  /** Ordered value in minor units of `currency`. */
  revenue: number;
}

/** Splits items by currency, keeping the API's order of currencies and of items. */
export function groupByCurrency(items: readonly SkuStat[]): CurrencyGroup[] {
  const groups = new Map<Currency, CurrencyGroup>();
  for (const item of items) {
    let group = groups.get(item.currency);
    if (!group) {
      group = { currency: item.currency, items: [], qty: 0, revenue: 0 };
      groups.set(item.currency, group);
    }
    group.items.push(item);
    group.qty += item.qty_sum;
    group.revenue += item.revenue_sum;
  }
  return [...groups.values()];
}

const compactFormatters = new Map<string, Intl.NumberFormat>();

/** A short money label for chart axes, e.g. (123456789, "EUR") → "€1.2M". */
export function formatCompactMoney(minor: number, currency: Currency, locale?: string): string {
  const key = `${locale ?? ""}|${currency}`;
  let f = compactFormatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, {
      style: "currency",
      currency,
      notation: "compact",
      maximumFractionDigits: 1,
    });
    compactFormatters.set(key, f);
  }
  return f.format(minor / 10 ** MINOR_DIGITS[currency]);
}
