import { useState, type ReactNode } from "react";
import { useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { Loader2 } from "lucide-react";
import { toast } from "sonner";

import { Field } from "@/components/field";
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
import { formatInteger } from "@/lib/money";

import { useSetOnHand } from "./api";
import type { StockItem } from "./contract";
import { FormAlert } from "./FormAlert";
import { restockSchema, restockFieldFromApi, type RestockValues } from "./schema";
import { showServerError, type FormProblem } from "./server-errors";

/** Sets a SKU's counted `on_hand` (`PUT /inventory/stock/{sku}/on-hand`). */
export function RestockDialog({ item, trigger }: { item: StockItem; trigger: ReactNode }) {
  const [open, setOpen] = useState(false);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>{trigger}</DialogTrigger>
      <DialogContent aria-describedby="restock-description">
        <DialogHeader>
          <DialogTitle>
            Restock <span className="font-mono">{item.sku}</span>
          </DialogTitle>
          <DialogDescription id="restock-description">
            Enter the stock counted now (not the difference). It can&apos;t go below what open
            orders have reserved.
          </DialogDescription>
        </DialogHeader>
        {open && <RestockForm item={item} onDone={() => setOpen(false)} />}
      </DialogContent>
    </Dialog>
  );
}

function RestockForm({ item, onDone }: { item: StockItem; onDone: () => void }) {
  const setOnHand = useSetOnHand(item.sku);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const form = useForm<RestockValues>({
    resolver: zodResolver(restockSchema),
    defaultValues: { onHand: String(item.on_hand) },
    mode: "onTouched",
  });
  const { errors } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    setProblem(null);
    try {
      const updated = await setOnHand.mutateAsync(Number(values.onHand.trim()));
      toast.success(`${updated.sku} updated`, {
        description: `${formatInteger(updated.on_hand)} on hand, ${formatInteger(updated.available)} available`,
      });
      onDone();
    } catch (e) {
      setProblem(showServerError(e, form.setError, restockFieldFromApi, "Couldn't set the stock"));
    }
  });
  const pending = setOnHand.isPending;

  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-4" aria-busy={pending}>
      <FormAlert problem={problem} testId="restock-error" />
      <dl className="grid grid-cols-3 gap-2 rounded-lg border bg-muted/40 p-3 text-sm">
        <Figure label="On hand" value={item.on_hand} />
        <Figure label="Reserved" value={item.reserved} />
        <Figure label="Available" value={item.available} />
      </dl>
      <Field
        id="restock-on-hand"
        label="New on hand"
        error={errors.onHand?.message}
        hint={`At least ${formatInteger(item.reserved)} (reserved).`}
      >
        <Input
          id="restock-on-hand"
          autoFocus
          inputMode="numeric"
          autoComplete="off"
          className="tabular"
          aria-invalid={errors.onHand ? true : undefined}
          aria-describedby={errors.onHand ? "restock-on-hand-error" : "restock-on-hand-hint"}
          disabled={pending}
          {...form.register("onHand")}
        />
      </Field>
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onDone} disabled={pending}>
          Cancel
        </Button>
        <Button type="submit" disabled={pending}>
          {pending && <Loader2 className="animate-spin" aria-hidden />}
          {pending ? "Saving…" : "Set stock"}
        </Button>
      </DialogFooter>
    </form>
  );
}

function Figure({ label, value }: { label: string; value: number }) {
  return (
    <div className="grid gap-0.5">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="tabular font-medium">{formatInteger(value)}</dd>
    </div>
  );
}
