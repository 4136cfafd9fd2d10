import { Navigate, Outlet, useLocation } from "react-router";

import { useAuth } from "@/auth/context";
import { ErrorState, FullPageLoader } from "@/components/states";

/** Renders the child routes for a signed-in user, otherwise redirects to /login. */
export function RequireAuth() {
  const { status, retry } = useAuth();
  const location = useLocation();

  if (status === "loading") return <FullPageLoader />;
  if (status === "error") {
    return (
      <div className="flex min-h-dvh items-center justify-center">
        <ErrorState
          title="Can't reach orderflow"
          error={new Error("The server did not answer while restoring your session.")}
          onRetry={retry}
        />
      </div>
    );
  }
  if (status === "anonymous") {
    const next = location.pathname + location.search;
    const search = next && next !== "/" ? `?next=${encodeURIComponent(next)}` : "";
    return <Navigate to={`/login${search}`} replace />;
  }
  return <Outlet />;
}
