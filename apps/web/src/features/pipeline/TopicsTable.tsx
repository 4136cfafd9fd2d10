import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { formatInteger } from "@/lib/money";

import type { PipelineStatus } from "./contract";
import { SourceBadge } from "./SourceBadge";

/** Each topic with its partitions' end offsets (how many messages each has ever held). */
export function TopicsTable({ topics }: { topics: PipelineStatus["topics"] }) {
  return (
    <Card className="gap-0 overflow-hidden py-0">
      <CardHeader className="flex flex-row flex-wrap items-center justify-between gap-2 border-b py-4 [.border-b]:pb-4">
        <CardTitle className="text-base">Topics</CardTitle>
        <SourceBadge source={topics.source} label="The broker" />
      </CardHeader>
      {topics.items.length > 0 ? (
        <Table data-testid="topics">
          <TableHeader>
            <TableRow className="hover:bg-transparent">
              <TableHead className="pl-6">Topic</TableHead>
              <TableHead className="hidden text-right sm:table-cell">Partitions</TableHead>
              <TableHead className="pr-6">End offsets</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {topics.items.map((t) => (
              <TableRow key={t.name} data-topic={t.name}>
                <TableCell className="pl-6 align-top font-mono text-sm">{t.name}</TableCell>
                <TableCell className="tabular hidden text-right sm:table-cell">
                  {t.partitions.length}
                </TableCell>
                <TableCell className="tabular pr-6 text-xs whitespace-normal text-muted-foreground">
                  {t.partitions
                    .map((p) => `${p.partition}: ${formatInteger(p.end_offset)}`)
                    .join(" · ")}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : (
        <p className="px-6 py-6 text-sm text-muted-foreground">
          {topics.source.status === "up"
            ? "No topics."
            : "Topics are unknown while the broker is down."}
        </p>
      )}
    </Card>
  );
}
