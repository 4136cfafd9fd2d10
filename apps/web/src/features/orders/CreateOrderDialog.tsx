import { useState } from "react";
import { Controller, useFieldArray, useForm, useWatch, type Path } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { useNavigate } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { AlertCircle, AlertTriangle, Loader2, Plus, Trash2 } from "lucide-react";
import { toast } from "sonner";

import { errorMessage, isApiError, isTransient } from "@/api/errors";
import type { Currency } from "@/api/types";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import {
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
} from "@/components/ui/select";
import { availabilityQuery } from "@/features/inventory/api";
import { IdempotencyKeeper } from "@/lib/idempotency";
import {
  CURRENCIES,
  CURRENCY_LABELS,
  MINOR_DIGITS,
  formatMoney,
  parseMoneyInput,
} from "@/lib/money";
import { useDebouncedValue } from "@/lib/use-debounced-value";
import { cn } from "@/lib/utils";

import { useCreateOrder } from "./api";
import { availabilityKey, requestedBySku, stockHint } from "./availability";
import {
  ORDER_LIMITS,
  createOrderFormSchema,
  defaultCreateOrderValues,
  emptyItem,
  formFieldFromApi,
  previewTotal,
  toCreateOrderRequest,
  type CreateOrderFormValues,
} from "./schema";
import { StockHint } from "./StockHint";

export function CreateOrderDialog({ trigger }: { trigger: React.ReactNode }) {
  const [open, setOpen] = useState(false);
  // Kept while the dialog is closed, so re-submitting after a failure reuses
  // the same Idempotency-Key and the values the user typed.
  const [keeper] = useState(() => new IdempotencyKeeper());
  const [draft, setDraft] = useState<CreateOrderFormValues | null>(null);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>{trigger}</DialogTrigger>
      <DialogContent className="sm:max-w-2xl" aria-describedby="create-order-description">
        <DialogHeader>
          <DialogTitle>New order</DialogTitle>
          <DialogDescription id="create-order-description">
            Add the items to order. Prices are per unit, in the order&apos;s currency.
          </DialogDescription>
        </DialogHeader>
        <CreateOrderForm
          keeper={keeper}
          draft={draft}
          setDraft={setDraft}
          onDone={() => setOpen(false)}
        />
      </DialogContent>
    </Dialog>
  );
}

function CreateOrderForm({
  keeper,
  draft,
  setDraft,
  onDone,
}: {
  keeper: IdempotencyKeeper;
  draft: CreateOrderFormValues | null;
  setDraft: (values: CreateOrderFormValues | null) => void;
  onDone: () => void;
}) {
  const navigate = useNavigate();
  const createOrder = useCreateOrder();
  const [formError, setFormError] = useState<{ title: string; message: string } | null>(null);

  const form = useForm<CreateOrderFormValues>({
    resolver: zodResolver(createOrderFormSchema),
    defaultValues: draft ?? defaultCreateOrderValues(),
    mode: "onTouched",
  });
  const { fields, append, remove } = useFieldArray({ control: form.control, name: "items" });
  const currency = useWatch({ control: form.control, name: "currency" });
  const items = useWatch({ control: form.control, name: "items" });
  const total = previewTotal({ currency, items });
  const { errors } = form.formState;

  // Availability of the typed SKUs, asked once typing pauses; a hint, never a blocker.
  const requested = requestedBySku(items);
  const skuSet = useDebouncedValue(availabilityKey(requested).join(","), 300);
  const availability = useQuery(availabilityQuery(skuSet ? skuSet.split(",") : []));
  const hintFor = (sku: string) =>
    stockHint(sku, requested, availability.data, availability.isError);
  const anyShort = items.some((item) => hintFor(item.sku).kind === "short");

  const onSubmit = form.handleSubmit(async (values) => {
    setFormError(null);
    const body = toCreateOrderRequest(values);
    const idempotencyKey = keeper.keyFor(body);
    try {
      const { order, replayed } = await createOrder.mutateAsync({ body, idempotencyKey });
      keeper.settled();
      setDraft(null);
      form.reset(defaultCreateOrderValues());
      onDone();
      toast.success(replayed ? "Order already placed" : "Order created", {
        description: `${formatMoney(order.total_amount, order.currency)} · ${order.items.length} item${order.items.length === 1 ? "" : "s"}`,
        action: { label: "View", onClick: () => navigate(`/orders/${order.id}`) },
      });
    } catch (e) {
      setDraft(values);
      if (isApiError(e) && e.status === 422 && e.details.length) {
        let unmapped = 0;
        for (const d of e.details) {
          const name = formFieldFromApi(d.field);
          if (name) {
            form.setError(name as Path<CreateOrderFormValues>, {
              message: d.message.charAt(0).toUpperCase() + d.message.slice(1),
            });
          } else unmapped++;
        }
        setFormError({
          title: "Please fix the highlighted fields",
          message: unmapped ? errorMessage(e) : "The server rejected some values.",
        });
      } else if (isTransient(e)) {
        setFormError({
          title: "The order may not have been saved",
          message: `${errorMessage(e)} Submitting again is safe: it will not create a duplicate.`,
        });
      } else {
        setFormError({ title: "Couldn't create the order", message: errorMessage(e) });
      }
    }
  });

  const digits = MINOR_DIGITS[currency];
  const pending = createOrder.isPending;

  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-5" aria-busy={pending}>
      {formError && (
        <Alert variant="destructive" data-testid="create-order-error">
          <AlertCircle aria-hidden />
          <AlertTitle>{formError.title}</AlertTitle>
          <AlertDescription>{formError.message}</AlertDescription>
        </Alert>
      )}

      <div className="grid gap-1.5 sm:max-w-64">
        <Label htmlFor="currency">Currency</Label>
        <Controller
          control={form.control}
          name="currency"
          render={({ field }) => (
            <Select
              value={field.value}
              onValueChange={(v) => {
                field.onChange(v as Currency);
                if (form.formState.isSubmitted) void form.trigger("items");
              }}
              disabled={pending}
            >
              <SelectTrigger id="currency" className="w-full" onBlur={field.onBlur}>
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                {CURRENCIES.map((c) => (
                  <SelectItem key={c} value={c}>
                    {CURRENCY_LABELS[c]}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          )}
        />
      </div>

      <fieldset className="grid gap-3" disabled={pending}>
        <legend className="mb-2 flex w-full items-center justify-between text-sm font-medium">
          <span>
            Items{" "}
            <span className="font-normal text-muted-foreground">
              ({fields.length}/{ORDER_LIMITS.maxItems})
            </span>
          </span>
        </legend>
        <div
          aria-hidden
          className="hidden grid-cols-[minmax(0,1.6fr)_5.5rem_minmax(0,1fr)_6.5rem_2.25rem] gap-2 px-0.5 text-xs font-medium text-muted-foreground sm:grid"
        >
          <span>SKU</span>
          <span>Qty</span>
          <span>Unit price</span>
          <span className="text-right">Line total</span>
          <span />
        </div>
        <ol className="grid gap-3 sm:gap-2">
          {fields.map((f, i) => {
            const item = items[i];
            const price = item ? parseMoneyInput(item.unitPrice, currency) : null;
            const qty = item && /^\d+$/.test(item.qty.trim()) ? Number(item.qty) : null;
            const lineTotal = price !== null && qty !== null ? price * qty : null;
            const e = errors.items?.[i];
            return (
              <li
                key={f.id}
                className="grid grid-cols-2 gap-x-3 gap-y-2 rounded-lg border p-3 sm:grid-cols-[minmax(0,1.6fr)_5.5rem_minmax(0,1fr)_6.5rem_2.25rem] sm:items-start sm:rounded-none sm:border-0 sm:p-0"
                data-testid="order-item-row"
              >
                <div className="col-span-2 grid gap-1 sm:col-span-1">
                  <Label
                    htmlFor={`items.${i}.sku`}
                    className="text-xs text-muted-foreground sm:sr-only"
                  >
                    SKU<span className="sr-only"> (item {i + 1})</span>
                  </Label>
                  <Input
                    id={`items.${i}.sku`}
                    placeholder="e.g. WIDGET-42"
                    autoCapitalize="characters"
                    autoComplete="off"
                    spellCheck={false}
                    className="font-mono uppercase placeholder:font-sans placeholder:normal-case"
                    aria-invalid={e?.sku ? true : undefined}
                    aria-describedby={e?.sku ? `items.${i}.sku-error` : `items.${i}.sku-stock`}
                    {...form.register(`items.${i}.sku`, {
                      setValueAs: (v: string) => v.toUpperCase(),
                    })}
                  />
                  <FieldError id={`items.${i}.sku-error`} message={e?.sku?.message} />
                  {!e?.sku && item && (
                    <StockHint id={`items.${i}.sku-stock`} hint={hintFor(item.sku)} />
                  )}
                </div>
                <div className="grid gap-1">
                  <Label
                    htmlFor={`items.${i}.qty`}
                    className="text-xs text-muted-foreground sm:sr-only"
                  >
                    Qty<span className="sr-only"> (item {i + 1})</span>
                  </Label>
                  <Input
                    id={`items.${i}.qty`}
                    inputMode="numeric"
                    autoComplete="off"
                    className="tabular"
                    aria-invalid={e?.qty ? true : undefined}
                    aria-describedby={e?.qty ? `items.${i}.qty-error` : undefined}
                    {...form.register(`items.${i}.qty`)}
                  />
                  <FieldError id={`items.${i}.qty-error`} message={e?.qty?.message} />
                </div>
                <div className="grid gap-1">
                  <Label
                    htmlFor={`items.${i}.unitPrice`}
                    className="text-xs text-muted-foreground sm:sr-only"
                  >
                    Unit price
                    <span className="sr-only">
                      {" "}
                      in {currency} (item {i + 1})
                    </span>
                  </Label>
                  <div className="relative">
                    <Input
                      id={`items.${i}.unitPrice`}
                      inputMode={digits ? "decimal" : "numeric"}
                      autoComplete="off"
                      placeholder={digits ? "0.00" : "0"}
                      className="tabular pr-12"
                      aria-invalid={e?.unitPrice ? true : undefined}
                      aria-describedby={e?.unitPrice ? `items.${i}.unitPrice-error` : undefined}
                      {...form.register(`items.${i}.unitPrice`)}
                    />
                    <span className="pointer-events-none absolute top-1/2 right-3 -translate-y-1/2 text-xs text-muted-foreground">
                      {currency}
                    </span>
                  </div>
                  <FieldError id={`items.${i}.unitPrice-error`} message={e?.unitPrice?.message} />
                </div>
                <div className="tabular flex h-9 items-center gap-2 text-sm text-muted-foreground sm:justify-end">
                  <span className="text-xs sm:hidden">Line total</span>
                  <span className="font-medium text-foreground">
                    {lineTotal !== null ? formatMoney(lineTotal, currency) : "—"}
                  </span>
                </div>
                <div className="flex justify-end">
                  <Button
                    type="button"
                    variant="ghost"
                    size="icon"
                    className="text-muted-foreground hover:text-destructive"
                    onClick={() => remove(i)}
                    disabled={fields.length <= ORDER_LIMITS.minItems}
                    aria-label={`Remove item ${i + 1}`}
                  >
                    <Trash2 />
                  </Button>
                </div>
              </li>
            );
          })}
        </ol>
        {anyShort && (
          <p
            className="flex items-center gap-1.5 text-xs text-amber-700"
            role="status"
            data-testid="stock-warning"
          >
            <AlertTriangle className="size-3.5 shrink-0" aria-hidden />
            Some lines ask for more than is in stock: the order will be placed, but canceled as out
            of stock unless the stock is there when it is reserved.
          </p>
        )}
        {errors.items?.root?.message || errors.items?.message ? (
          <p className="text-xs text-destructive">
            {errors.items?.root?.message ?? errors.items?.message}
          </p>
        ) : null}
        <div>
          <Button
            type="button"
            variant="outline"
            size="sm"
            onClick={() => append(emptyItem(), { shouldFocus: true })}
            disabled={fields.length >= ORDER_LIMITS.maxItems}
          >
            <Plus /> Add item
          </Button>
        </div>
      </fieldset>

      <DialogFooter className="flex-col border-t pt-4 sm:flex-row sm:items-center sm:justify-between">
        <div className="flex w-full items-baseline justify-between gap-2 sm:w-auto sm:justify-start">
          <span className="text-sm text-muted-foreground">Total</span>
          <span className="tabular text-lg font-semibold" data-testid="create-order-total">
            {total !== null ? formatMoney(total, currency) : "—"}
          </span>
        </div>
        <div className="flex w-full flex-col-reverse gap-2 sm:w-auto sm:flex-row">
          <Button type="button" variant="outline" onClick={onDone} disabled={pending}>
            Cancel
          </Button>
          <Button type="submit" disabled={pending}>
            {pending && <Loader2 className="animate-spin" aria-hidden />}
            {pending ? "Placing order…" : "Place order"}
          </Button>
        </div>
      </DialogFooter>
    </form>
  );
}

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={id} className={cn("text-xs text-destructive")}>
      {message}
    </p>
  );
}
