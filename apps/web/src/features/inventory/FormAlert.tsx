import { AlertCircle } from "lucide-react";

import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";

import type { FormProblem } from "./server-errors";

export function FormAlert({ problem, testId }: { problem: FormProblem | null; testId: string }) {
  if (!problem) return null;
  return (
    <Alert variant="destructive" data-testid={testId}>
      <AlertCircle aria-hidden />
      <AlertTitle>{problem.title}</AlertTitle>
      <AlertDescription>
        <p>{problem.message}</p>
        {problem.requestId && (
          <p className="font-mono text-xs opacity-80">Request ID: {problem.requestId}</p>
        )}
      </AlertDescription>
    </Alert>
  );
}
