import { useEffect, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import {
  ChevronLeft,
  ChevronRight,
  PackagePlus,
  PackageSearch,
  RotateCw,
  Search,
} from "lucide-react";

import { EmptyState, ErrorState } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { formatDateTime, formatRelative } from "@/lib/dates";
import { formatInteger } from "@/lib/money";
import { useDebouncedValue } from "@/lib/use-debounced-value";

import { stockPageQuery } from "./api";
import { RestockDialog } from "./RestockDialog";
import { SKU_PREFIX_RULE } from "./schema";

/**
 * The stock list: a SKU-prefix filter and keyset pages (the cursor of each page seen is
 * kept, so "Previous" goes back without offsets).
 */
export function StockTable({
  prefix,
  onPrefixChange,
}: {
  prefix: string;
  onPrefixChange: (prefix: string) => void;
}) {
  const [input, setInput] = useState(prefix);
  // The cursors of the pages seen for one prefix; another prefix starts at the first page.
  const [paging, setPaging] = useState<{ prefix: string; cursors: (string | null)[] }>({
    prefix,
    cursors: [null],
  });
  const cursors = paging.prefix === prefix ? paging.cursors : [null];
  const setCursors = (update: (c: (string | null)[]) => (string | null)[]) =>
    setPaging({ prefix, cursors: update(cursors) });

  const typed = input.trim().toUpperCase();
  const invalid = !SKU_PREFIX_RULE.test(typed);
  const debounced = useDebouncedValue(typed, 300);
  // The filter lives in the URL once the admin stops typing.
  useEffect(() => {
    if (SKU_PREFIX_RULE.test(debounced) && debounced !== prefix) onPrefixChange(debounced);
  }, [debounced, prefix, onPrefixChange]);

  const cursor = cursors[cursors.length - 1] ?? null;
  const query = useQuery(stockPageQuery(prefix, cursor));
  const items = query.data?.items ?? [];
  const next = query.data?.next_cursor ?? null;
  const pageNumber = cursors.length;

  return (
    <Card className="gap-0 overflow-hidden py-0">
      <div className="flex flex-wrap items-start justify-between gap-3 border-b px-4 py-3">
        <div className="grid gap-1">
          <div className="relative w-64 max-w-full">
            <Search
              className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted-foreground"
              aria-hidden
            />
            <Input
              aria-label="Filter by SKU prefix"
              placeholder="SKU starts with…"
              value={input}
              onChange={(e) => setInput(e.target.value.toUpperCase())}
              className="h-8 pl-8 font-mono uppercase placeholder:font-sans placeholder:normal-case"
              aria-invalid={invalid ? true : undefined}
              aria-describedby={invalid ? "sku-prefix-error" : undefined}
              spellCheck={false}
              autoComplete="off"
              data-testid="stock-prefix"
            />
          </div>
          {invalid && (
            <p id="sku-prefix-error" className="text-xs text-destructive">
              Only A–Z, 0–9, “-” and “_”, up to 64 characters.
            </p>
          )}
        </div>
        <Button
          variant="ghost"
          size="sm"
          onClick={() => void query.refetch()}
          disabled={query.isFetching}
          aria-label="Refresh stock"
        >
          <RotateCw className={query.isRefetching ? "animate-spin" : ""} />
          <span className="hidden sm:inline">Refresh</span>
        </Button>
      </div>

      {query.isPending ? (
        <StockSkeleton />
      ) : query.isError && !query.data ? (
        <ErrorState
          title="Couldn't load the stock"
          error={query.error}
          onRetry={() => void query.refetch()}
        />
      ) : items.length === 0 ? (
        <EmptyState
          icon={prefix ? <PackageSearch /> : <PackagePlus />}
          title={prefix ? `No SKU starts with “${prefix}”` : "No SKUs yet"}
          description={
            prefix
              ? "Try a shorter prefix."
              : "Create a SKU with its stock; orders for it are then reserved against it."
          }
        />
      ) : (
        <>
          <Table data-testid="stock-table" aria-busy={query.isFetching}>
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead className="pl-4">SKU</TableHead>
                <TableHead className="text-right">Available</TableHead>
                <TableHead className="hidden text-right sm:table-cell">Reserved</TableHead>
                <TableHead className="hidden text-right sm:table-cell">On hand</TableHead>
                <TableHead className="hidden md:table-cell">Updated</TableHead>
                <TableHead className="pr-4 text-right">
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {items.map((item) => (
                <TableRow key={item.sku} data-sku={item.sku}>
                  <TableCell className="pl-4 font-mono text-sm font-medium">
                    {item.sku}
                    <div className="font-sans text-xs font-normal text-muted-foreground sm:hidden">
                      {formatInteger(item.reserved)} reserved · {formatInteger(item.on_hand)} on
                      hand
                    </div>
                  </TableCell>
                  <TableCell className="tabular text-right" data-testid="stock-available">
                    {item.available === 0 ? (
                      <Badge variant="muted">Out of stock</Badge>
                    ) : (
                      <span className="font-medium">{formatInteger(item.available)}</span>
                    )}
                  </TableCell>
                  <TableCell
                    className="tabular hidden text-right sm:table-cell"
                    data-testid="stock-reserved"
                  >
                    {formatInteger(item.reserved)}
                  </TableCell>
                  <TableCell
                    className="tabular hidden text-right sm:table-cell"
                    data-testid="stock-on-hand"
                  >
                    {formatInteger(item.on_hand)}
                  </TableCell>
                  <TableCell
                    className="hidden text-muted-foreground md:table-cell"
                    title={formatDateTime(item.updated_at, true)}
                  >
                    {formatRelative(item.updated_at)}
                  </TableCell>
                  <TableCell className="pr-4 text-right">
                    <RestockDialog
                      item={item}
                      trigger={
                        <Button variant="outline" size="sm" aria-label={`Restock ${item.sku}`}>
                          Restock
                        </Button>
                      }
                    />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {query.isError && (
            <p role="alert" className="border-t px-4 py-2 text-sm text-destructive">
              Couldn&apos;t refresh the stock; showing the last page loaded.
            </p>
          )}
        </>
      )}

      <nav
        aria-label="Stock pages"
        className="flex items-center justify-between gap-3 border-t px-4 py-3 text-sm text-muted-foreground"
      >
        <span>Page {pageNumber}</span>
        <div className="flex gap-2">
          <Button
            variant="outline"
            size="sm"
            onClick={() => setCursors((c) => c.slice(0, -1))}
            disabled={pageNumber <= 1 || query.isFetching}
          >
            <ChevronLeft /> Previous
          </Button>
          <Button
            variant="outline"
            size="sm"
            onClick={() => next && setCursors((c) => [...c, next])}
            disabled={!next || query.isPlaceholderData || query.isFetching}
          >
            Next page <ChevronRight />
          </Button>
        </div>
      </nav>
    </Card>
  );
}

function StockSkeleton() {
  return (
    <div className="divide-y" aria-busy="true" aria-label="Loading stock">
      {Array.from({ length: 6 }, (_, i) => (
        <div key={i} className="flex items-center gap-4 px-4 py-3.5">
          <Skeleton className="h-4 w-32" />
          <Skeleton className="ml-auto h-4 w-12" />
          <Skeleton className="h-4 w-12" />
          <Skeleton className="h-4 w-12" />
          <Skeleton className="h-8 w-20" />
        </div>
      ))}
    </div>
  );
}
