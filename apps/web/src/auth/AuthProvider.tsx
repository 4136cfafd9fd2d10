import { useCallback, useEffect, useMemo, type ReactNode } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";

import { api, session, unwrap } from "@/api/client";
import type { User } from "@/api/types";
import type { LoginFormValues } from "@/features/auth/schema";

import { AuthContext, type AuthContextValue } from "./context";
import { fetchMe, ME_QUERY_KEY } from "./me";

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const me = useQuery({
    queryKey: ME_QUERY_KEY,
    queryFn: fetchMe,
    staleTime: Infinity,
    gcTime: Infinity,
    retry: 1,
    refetchOnWindowFocus: false,
  });
  const { refetch } = me;

  const dropSession = useCallback(() => {
    session.setAccessToken(null);
    queryClient.setQueryData<User | null>(ME_QUERY_KEY, null);
    queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== ME_QUERY_KEY[0] });
  }, [queryClient]);

  // A failed refresh anywhere ends the session; the route guard then
  // redirects to /login.
  useEffect(() => session.onUnauthenticated(dropSession), [dropSession]);

  const login = useCallback(
    async (values: LoginFormValues) => {
      const { data: tokens } = await unwrap(
        api.POST("/auth/login", { body: { email: values.email, password: values.password } }),
      );
      session.setAccessToken(tokens.access_token);
      const { data: user } = await unwrap(api.GET("/me"));
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== ME_QUERY_KEY[0] });
      queryClient.setQueryData<User | null>(ME_QUERY_KEY, user);
      return user;
    },
    [queryClient],
  );

  const logout = useCallback(async () => {
    try {
      await api.POST("/auth/logout");
    } catch {
      // The server-side revoke is best effort; the local session ends anyway.
    }
    dropSession();
  }, [dropSession]);

  const value = useMemo<AuthContextValue>(() => {
    const user = me.data ?? null;
    const status = me.isPending
      ? "loading"
      : user
        ? "authenticated"
        : me.isError
          ? "error"
          : "anonymous";
    return { status, user, login, logout, retry: () => void refetch() };
  }, [me.data, me.isPending, me.isError, refetch, login, logout]);

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
