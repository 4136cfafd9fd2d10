import { ChevronRight } from "lucide-react";

import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { formatDateTime } from "@/lib/dates";

import { letterPath } from "./api";
import type { DeadLetter } from "./contract";
import { sourceLabel } from "./format";
import { StateBadge } from "./StateBadge";

export function DeadLetterTable({
  letters,
  onOpen,
}: {
  letters: DeadLetter[];
  onOpen: (letter: DeadLetter) => void;
}) {
  return (
    <Table data-testid="dead-letter-table">
      <TableHeader>
        <TableRow className="hover:bg-transparent">
          <TableHead className="hidden pl-6 sm:table-cell">Time</TableHead>
          <TableHead className="pl-4 sm:pl-3">Reason</TableHead>
          <TableHead className="hidden md:table-cell">Source</TableHead>
          <TableHead className="hidden lg:table-cell">Key</TableHead>
          <TableHead>State</TableHead>
          <TableHead className="pr-6">
            <span className="sr-only">Details</span>
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {letters.map((letter) => {
          const path = letterPath(letter);
          return (
            <TableRow
              key={path}
              data-testid="dead-letter-row"
              data-letter={path}
              className="cursor-pointer"
              onClick={() => onOpen(letter)}
            >
              <TableCell className="hidden pl-6 text-xs whitespace-nowrap sm:table-cell">
                {formatDateTime(letter.timestamp, true)}
              </TableCell>
              <TableCell className="max-w-56 pl-4 sm:max-w-72 sm:pl-3">
                <span className="block font-mono text-xs">{letter.error_code ?? "—"}</span>
                <span className="block truncate text-xs text-muted-foreground">
                  {letter.error_reason}
                </span>
                <span className="block text-xs text-muted-foreground sm:hidden">
                  {formatDateTime(letter.timestamp, true)}
                </span>
              </TableCell>
              <TableCell className="hidden font-mono text-xs md:table-cell">
                {sourceLabel(letter)}
              </TableCell>
              <TableCell className="hidden max-w-40 truncate font-mono text-xs lg:table-cell">
                {letter.key ?? "—"}
              </TableCell>
              <TableCell>
                <StateBadge state={letter.state} />
              </TableCell>
              <TableCell className="pr-6 text-right">
                <button
                  type="button"
                  className="inline-flex items-center rounded p-1 text-muted-foreground outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50"
                  aria-label={`Details of ${path}`}
                  onClick={(e) => {
                    e.stopPropagation();
                    onOpen(letter);
                  }}
                >
                  <ChevronRight className="size-4" aria-hidden />
                </button>
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
