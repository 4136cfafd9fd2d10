import { Ban, Send } from "lucide-react";
import { toast } from "sonner";

import { errorMessage } from "@/api/errors";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { formatDateTime } from "@/lib/dates";

import { letterPath, useDiscard, useRedrive } from "./api";
import { ConfirmButton } from "./ConfirmButton";
import type { DeadLetter } from "./contract";
import { ACTION_LABEL, notRedrivableReason, prettyPayload, sourceLabel } from "./format";
import { LATENESS_NOTE } from "./lateness";
import { StateBadge } from "./StateBadge";

/** One dead letter: what it carried, why it died, and Redrive / Discard (each confirmed). */
export function DeadLetterDetail({
  letter,
  onOpenChange,
}: {
  letter: DeadLetter | null;
  onOpenChange: (open: boolean) => void;
}) {
  return (
    <Dialog open={letter !== null} onOpenChange={onOpenChange}>
      {letter && <DetailContent letter={letter} onDone={() => onOpenChange(false)} />}
    </Dialog>
  );
}

function DetailContent({ letter, onDone }: { letter: DeadLetter; onDone: () => void }) {
  const redrive = useRedrive();
  const discard = useDiscard();
  const path = letterPath(letter);
  const busy = redrive.isPending || discard.isPending;
  const blocked = notRedrivableReason(letter);

  return (
    <DialogContent
      className="max-h-[90dvh] overflow-y-auto sm:max-w-2xl"
      data-testid="dead-letter-detail"
    >
      <DialogHeader>
        <DialogTitle className="flex flex-wrap items-center gap-2">
          Dead letter <span className="font-mono text-sm">{path}</span>
          <StateBadge state={letter.state} />
        </DialogTitle>
        <DialogDescription>
          {letter.error_code ?? "no code"}: {letter.error_reason ?? "no reason given"}
        </DialogDescription>
      </DialogHeader>

      <dl className="grid gap-3 text-sm sm:grid-cols-2">
        <Item label="Dead-lettered">{formatDateTime(letter.timestamp, true)}</Item>
        <Item label="Source">
          <span className="font-mono text-xs">{sourceLabel(letter)}</span>
        </Item>
        <Item label="Key">
          <span className="font-mono text-xs break-all">{letter.key ?? "none"}</span>
        </Item>
        <Item label="Last action">
          {letter.last_action
            ? `${ACTION_LABEL[letter.last_action.action] ?? letter.last_action.action} by ${letter.last_action.actor_email}, ${formatDateTime(letter.last_action.at)}`
            : "none"}
        </Item>
      </dl>

      <Block title="Original payload (what a redrive sends, unchanged)">
        <pre
          className="max-h-64 overflow-auto rounded-md bg-muted p-3 font-mono text-xs"
          data-testid="original-payload"
        >
          {prettyPayload(letter.original_payload) || "—"}
        </pre>
      </Block>
      <Block title="Headers">
        <table className="w-full text-xs">
          <tbody>
            {Object.entries(letter.headers).map(([name, value]) => (
              <tr key={name} className="border-b last:border-0">
                <th
                  scope="row"
                  className="py-1 pr-3 text-left font-mono font-normal text-muted-foreground"
                >
                  {name}
                </th>
                <td className="py-1 font-mono break-all">{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Block>
      <details className="text-sm">
        <summary className="cursor-pointer text-muted-foreground">The dead-letter message</summary>
        <pre className="mt-2 max-h-64 overflow-auto rounded-md bg-muted p-3 font-mono text-xs">
          {prettyPayload(letter.payload)}
        </pre>
      </details>

      <div className="flex flex-col-reverse gap-2 border-t pt-4 sm:flex-row sm:items-center sm:justify-end">
        {blocked && <p className="text-xs text-muted-foreground sm:mr-auto">{blocked}</p>}
        <ConfirmButton
          variant="outline"
          destructive
          disabled={busy || letter.state === "discarded"}
          title="Discard this dead letter?"
          description={
            <p>
              {path} will be hidden from the console (it stays on the topic). The discard is
              recorded in the operator log.
            </p>
          }
          confirm="Discard"
          onConfirm={() =>
            discard.mutate(letter, {
              onSuccess: () => {
                toast.success(`Discarded ${path}`);
                onDone();
              },
              onError: (e) => toast.error("Couldn't discard it", { description: errorMessage(e) }),
            })
          }
        >
          <Ban /> Discard
        </ConfirmButton>
        <ConfirmButton
          disabled={busy || !letter.redrivable}
          title="Redrive this dead letter?"
          description={
            <>
              <p>
                Its original payload goes back to{" "}
                <span className="font-mono">{letter.source_topic}</span> exactly as it was, with its
                key. Do this once the cause is fixed, or it dead-letters again.
              </p>
              <p>{LATENESS_NOTE}</p>
            </>
          }
          confirm="Redrive"
          onConfirm={() =>
            redrive.mutate(letter, {
              onSuccess: () => toast.success(`Redrove ${path} to ${letter.source_topic}`),
              onError: (e) => toast.error("Couldn't redrive it", { description: errorMessage(e) }),
            })
          }
        >
          <Send /> Redrive
        </ConfirmButton>
      </div>
    </DialogContent>
  );
}

function Item({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid gap-1">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="min-w-0">{children}</dd>
    </div>
  );
}

function Block({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section className="grid gap-1.5">
      <h3 className="text-xs font-medium text-muted-foreground">{title}</h3>
      {children}
    </section>
  );
}
