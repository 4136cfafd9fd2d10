import { useQuery } from "@tanstack/react-query";
import { History } from "lucide-react";

import { EmptyState, ErrorState } from "@/components/states";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { formatDateTime } from "@/lib/dates";

import { ACTION_LOG_SIZE, operatorActionsQuery } from "./api";
import { ACTION_LABEL } from "./format";

/** Who redrove, discarded or re-queued what, and when (newest first). */
export function OperatorActionLog() {
  const query = useQuery(operatorActionsQuery());
  return (
    <Card className="gap-0 overflow-hidden py-0">
      <CardHeader className="border-b py-4 [.border-b]:pb-4">
        <CardTitle className="text-base">Operator actions</CardTitle>
      </CardHeader>
      {query.isPending ? (
        <div className="space-y-2 p-6" aria-busy="true">
          <Skeleton className="h-5 w-full" />
          <Skeleton className="h-5 w-2/3" />
        </div>
      ) : query.isError ? (
        <ErrorState
          title="Couldn't load the operator log"
          error={query.error}
          onRetry={() => void query.refetch()}
        />
      ) : query.data.items.length === 0 ? (
        <EmptyState
          icon={<History />}
          title="No actions yet"
          description="Redrives, discards and re-queued outbox rows are recorded here."
        />
      ) : (
        <>
          <Table data-testid="operator-actions">
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead className="hidden pl-6 sm:table-cell">When</TableHead>
                <TableHead className="pl-4 sm:pl-3">Action</TableHead>
                <TableHead>Target</TableHead>
                <TableHead className="hidden sm:table-cell">Who</TableHead>
                <TableHead className="hidden pr-6 lg:table-cell">Detail</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {query.data.items.map((a) => (
                <TableRow
                  key={a.id}
                  data-testid="operator-action"
                  data-target={a.target}
                  data-action={a.action}
                >
                  <TableCell className="hidden pl-6 text-xs whitespace-nowrap sm:table-cell">
                    {formatDateTime(a.at, true)}
                  </TableCell>
                  <TableCell className="pl-4 text-sm whitespace-normal sm:pl-3">
                    {ACTION_LABEL[a.action] ?? a.action}
                    <span className="block text-xs text-muted-foreground sm:hidden">
                      {formatDateTime(a.at, true)} · {a.actor_email}
                    </span>
                  </TableCell>
                  <TableCell className="font-mono text-xs break-all whitespace-normal">
                    {a.target}
                  </TableCell>
                  <TableCell className="hidden text-xs sm:table-cell">{a.actor_email}</TableCell>
                  <TableCell className="hidden max-w-80 truncate pr-6 text-xs text-muted-foreground lg:table-cell">
                    {a.detail}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {query.data.items.length >= ACTION_LOG_SIZE && (
            <p className="px-6 py-3 text-xs text-muted-foreground">
              The newest {ACTION_LOG_SIZE} actions.
            </p>
          )}
        </>
      )}
    </Card>
  );
}
