import { createContext, useContext } from "react";

import type { User } from "@/api/types";
import type { LoginFormValues } from "@/features/auth/schema";

export type AuthStatus = "loading" | "authenticated" | "anonymous" | "error";

export interface AuthContextValue {
  status: AuthStatus;
  user: User | null;
  login(values: LoginFormValues): Promise<User>;
  logout(): Promise<void>;
  /** Retry restoring the session after a network failure. */
  retry(): void;
}

export const AuthContext = createContext<AuthContextValue | null>(null);

export function useAuth(): AuthContextValue {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error("useAuth must be used inside <AuthProvider>");
  return ctx;
}
