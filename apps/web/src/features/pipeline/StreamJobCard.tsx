import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { formatDateTime } from "@/lib/dates";

import type { StreamJobStatus } from "./contract";
import { formatDuration } from "./format";
import { SourceBadge } from "./SourceBadge";

export function StreamJobCard({ job }: { job: StreamJobStatus }) {
  const up = job.source.status === "up";
  return (
    <Card className="gap-4" data-testid="stream-job">
      <CardHeader className="flex flex-row flex-wrap items-center justify-between gap-2">
        <CardTitle className="text-base">Stream job</CardTitle>
        <SourceBadge source={job.source} label="The stream job (Flink)" />
      </CardHeader>
      <CardContent>
        <dl className="grid gap-3 text-sm sm:grid-cols-2">
          <Item label="Job">
            <span className="font-mono text-xs">{job.name || "—"}</span>
          </Item>
          <Item label="State">
            {up && job.state ? (
              <Badge
                variant={
                  job.state === "RUNNING"
                    ? "success"
                    : job.state === "NOT_FOUND"
                      ? "destructive"
                      : "muted"
                }
                data-testid="stream-job-state"
                data-state={job.state}
              >
                {job.state === "NOT_FOUND" ? "not running" : job.state}
              </Badge>
            ) : (
              "—"
            )}
            {up && job.state === "NOT_FOUND" && (
              <span className="block text-xs text-muted-foreground">
                Flink answers but runs no job of this name
              </span>
            )}
          </Item>
          <Item label="Uptime">
            {up && job.uptime_ms !== null ? formatDuration(job.uptime_ms) : "—"}
            {up && job.started_at && (
              <span className="block text-xs text-muted-foreground">
                since {formatDateTime(job.started_at)}
              </span>
            )}
          </Item>
          <Item label="Last completed checkpoint">
            {up && job.last_checkpoint ? (
              <>
                #{job.last_checkpoint.id} at{" "}
                {formatDateTime(job.last_checkpoint.completed_at, true)}
                <span className="block text-xs text-muted-foreground">
                  took {formatDuration(job.last_checkpoint.duration_ms)}
                </span>
              </>
            ) : up ? (
              "none yet"
            ) : (
              "—"
            )}
          </Item>
        </dl>
      </CardContent>
    </Card>
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
