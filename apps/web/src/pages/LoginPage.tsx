import { useState } from "react";
import { useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { AlertCircle, Eye, EyeOff, Loader2, LogIn } from "lucide-react";

import { errorMessage, isApiError } from "@/api/errors";
import { useAuth } from "@/auth/context";
import { Field } from "@/components/field";
import { fieldAria } from "@/lib/a11y";
import { Logo } from "@/components/logo";
import { FullPageLoader } from "@/components/states";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { loginFormSchema, type LoginFormValues } from "@/features/auth/schema";

/** Only same-app paths are accepted as a post-login destination. */
function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/orders";
}

export function LoginPage() {
  const { status, login } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [showPassword, setShowPassword] = useState(false);
  const [formError, setFormError] = useState<{ title: string; message: string } | null>(null);

  const form = useForm<LoginFormValues>({
    resolver: zodResolver(loginFormSchema),
    defaultValues: { email: "", password: "" },
  });
  const { errors, isSubmitting } = form.formState;

  if (status === "loading") return <FullPageLoader />;
  if (status === "authenticated") return <Navigate to={safeNext(params.get("next"))} replace />;

  const onSubmit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      await login(values);
      navigate(safeNext(params.get("next")), { replace: true });
    } catch (e) {
      if (isApiError(e) && e.status === 401) {
        setFormError({ title: "Couldn't sign you in", message: "Wrong email or password." });
        form.setFocus("password");
      } else if (isApiError(e) && e.status === 429) {
        setFormError({ title: "Too many attempts", message: errorMessage(e) });
      } else {
        setFormError({ title: "Couldn't sign you in", message: errorMessage(e) });
      }
    }
  });

  return (
    <div className="grid min-h-dvh lg:grid-cols-[1.1fr_1fr]">
      <aside className="relative hidden overflow-hidden bg-zinc-950 p-10 text-zinc-50 lg:flex lg:flex-col">
        <div
          aria-hidden
          className="absolute inset-0 bg-[radial-gradient(ellipse_at_top_left,rgba(99,102,241,0.35),transparent_55%),radial-gradient(ellipse_at_bottom_right,rgba(16,185,129,0.2),transparent_50%)]"
        />
        <Logo className="relative text-lg [&_path]:stroke-zinc-950 [&_rect]:fill-white" />
        <div className="relative mt-auto max-w-md space-y-4">
          <p className="text-3xl leading-tight font-semibold tracking-tight">
            Orders in, insight out — in real time.
          </p>
          <p className="text-zinc-400">
            Place and track orders, settle payments, and watch per-SKU demand stream in minute by
            minute.
          </p>
        </div>
      </aside>
      <main className="flex items-center justify-center px-5 py-12 sm:px-8">
        <div className="w-full max-w-sm space-y-8">
          <div className="space-y-2">
            <Logo className="mb-6 text-lg lg:hidden" />
            <h1 className="text-2xl font-semibold tracking-tight">Sign in</h1>
            <p className="text-sm text-muted-foreground">
              Welcome back. Enter your account details to continue.
            </p>
          </div>

          {formError && (
            <Alert variant="destructive" data-testid="login-error">
              <AlertCircle aria-hidden />
              <AlertTitle>{formError.title}</AlertTitle>
              <AlertDescription>{formError.message}</AlertDescription>
            </Alert>
          )}

          <form className="grid gap-5" onSubmit={onSubmit} noValidate>
            <Field id="email" label="Email" error={errors.email?.message}>
              <Input
                {...fieldAria("email", errors.email?.message)}
                type="email"
                autoComplete="username"
                inputMode="email"
                placeholder="you@example.com"
                autoFocus
                {...form.register("email")}
              />
            </Field>
            <Field id="password" label="Password" error={errors.password?.message}>
              <div className="relative">
                <Input
                  {...fieldAria("password", errors.password?.message)}
                  type={showPassword ? "text" : "password"}
                  autoComplete="current-password"
                  className="pr-10"
                  {...form.register("password")}
                />
                <Button
                  type="button"
                  variant="ghost"
                  size="icon-sm"
                  className="absolute top-0.5 right-0.5 text-muted-foreground"
                  onClick={() => setShowPassword((v) => !v)}
                  aria-label={showPassword ? "Hide password" : "Show password"}
                  aria-pressed={showPassword}
                >
                  {showPassword ? <EyeOff /> : <Eye />}
                </Button>
              </div>
            </Field>
            <Button type="submit" size="lg" disabled={isSubmitting} className="w-full">
              {isSubmitting ? <Loader2 className="animate-spin" aria-hidden /> : <LogIn />}
              {isSubmitting ? "Signing in…" : "Sign in"}
            </Button>
          </form>
        </div>
      </main>
    </div>
  );
}
