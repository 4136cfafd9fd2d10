import { useCallback } from "react";
import { Plus } from "lucide-react";
import { useSearchParams } from "react-router";

import { PageHeader } from "@/components/page-header";
import { Button } from "@/components/ui/button";

import { NewSkuDialog } from "./NewSkuDialog";
import { SKU_PREFIX_RULE } from "./schema";
import { StockTable } from "./StockTable";

/** The admin's stock page: the list (prefix filter in the URL), restock, new SKU. */
export function InventoryAdmin() {
  const [params, setParams] = useSearchParams();
  const raw = (params.get("prefix") ?? "").toUpperCase();
  const prefix = SKU_PREFIX_RULE.test(raw) ? raw : "";

  const setPrefix = useCallback(
    (value: string) =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          if (value) next.set("prefix", value);
          else next.delete("prefix");
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );

  return (
    <div className="space-y-6">
      <PageHeader
        title="Inventory"
        description="Stock per SKU: available = on hand − reserved by unpaid orders."
        actions={
          <NewSkuDialog
            trigger={
              <Button data-testid="new-sku">
                <Plus /> New SKU
              </Button>
            }
          />
        }
      />
      <StockTable prefix={prefix} onPrefixChange={setPrefix} />
    </div>
  );
}
