import { useRouteError } from "react-router";

import { ErrorState } from "@/components/states";

export function RouteError() {
  const error = useRouteError();
  return (
    <div className="flex min-h-dvh items-center justify-center">
      <ErrorState
        title="Something went wrong"
        error={error}
        onRetry={() => window.location.reload()}
      />
    </div>
  );
}
