import { useState, type ReactNode } from "react";
import { useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { Loader2 } from "lucide-react";
import { toast } from "sonner";

import { isApiError } from "@/api/errors";
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

import { useCreateStock } from "./api";
import { FormAlert } from "./FormAlert";
import { newSkuSchema, newSkuFieldFromApi, type NewSkuValues } from "./schema";
import { showServerError, type FormProblem } from "./server-errors";

/** Creates a SKU with its initial stock (`POST /inventory/stock`). */
export function NewSkuDialog({ trigger }: { trigger: ReactNode }) {
  const [open, setOpen] = useState(false);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>{trigger}</DialogTrigger>
      <DialogContent aria-describedby="new-sku-description">
        <DialogHeader>
          <DialogTitle>New SKU</DialogTitle>
          <DialogDescription id="new-sku-description">
            Start tracking a SKU with the stock counted now. Orders for it are reserved against this
            stock.
          </DialogDescription>
        </DialogHeader>
        {/* Mounted only while open: every opening starts from an empty form. */}
        {open && <NewSkuForm onDone={() => setOpen(false)} />}
      </DialogContent>
    </Dialog>
  );
}

function NewSkuForm({ onDone }: { onDone: () => void }) {
  const create = useCreateStock();
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const form = useForm<NewSkuValues>({
    resolver: zodResolver(newSkuSchema),
    defaultValues: { sku: "", onHand: "0" },
    mode: "onTouched",
  });
  const { errors } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    setProblem(null);
    try {
      const item = await create.mutateAsync({
        sku: values.sku.trim(),
        on_hand: Number(values.onHand.trim()),
      });
      toast.success(`${item.sku} created`, {
        description: `${formatInteger(item.on_hand)} on hand`,
      });
      onDone();
    } catch (e) {
      if (isApiError(e) && e.code === "SKU_EXISTS") {
        form.setError("sku", { message: "This SKU already exists: restock it instead" });
      }
      setProblem(showServerError(e, form.setError, newSkuFieldFromApi, "Couldn't create the SKU"));
    }
  });
  const pending = create.isPending;

  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-4" aria-busy={pending}>
      <FormAlert problem={problem} testId="new-sku-error" />
      <Field id="new-sku" label="SKU" error={errors.sku?.message} hint="3–64 of A–Z, 0–9, - and _">
        <Input
          id="new-sku"
          autoFocus
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          placeholder="e.g. KETTLE-BLUE"
          className="font-mono uppercase placeholder:font-sans placeholder:normal-case"
          aria-invalid={errors.sku ? true : undefined}
          aria-describedby={errors.sku ? "new-sku-error" : "new-sku-hint"}
          disabled={pending}
          {...form.register("sku", { setValueAs: (v: string) => v.toUpperCase() })}
        />
      </Field>
      <Field id="new-sku-on-hand" label="On hand" error={errors.onHand?.message}>
        <Input
          id="new-sku-on-hand"
          inputMode="numeric"
          autoComplete="off"
          className="tabular"
          aria-invalid={errors.onHand ? true : undefined}
          aria-describedby={errors.onHand ? "new-sku-on-hand-error" : undefined}
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
          {pending ? "Creating…" : "Create SKU"}
        </Button>
      </DialogFooter>
    </form>
  );
}
