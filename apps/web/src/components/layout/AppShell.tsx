import { NavLink, Outlet, useNavigate } from "react-router";
import { Activity, BarChart3, Boxes, Inbox, LogOut, Package, ShieldCheck } from "lucide-react";
import { toast } from "sonner";

import { useAuth } from "@/auth/context";
import { Logo } from "@/components/logo";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { cn } from "@/lib/utils";

const navLinkClass = ({ isActive }: { isActive: boolean }) =>
  cn(
    "inline-flex h-8 items-center gap-1.5 rounded-md px-2.5 text-sm font-medium transition-colors outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50 [&_svg]:size-4",
    isActive
      ? "bg-accent text-foreground"
      : "text-muted-foreground hover:bg-accent/60 hover:text-foreground",
  );

/**
 * An admin's five links do not fit a phone's header with their words: below `lg` they show
 * only their icons (the word stays as the link's accessible name).
 */
function NavLabel({ admin, children }: { admin: boolean; children: string }) {
  return admin ? <span className="sr-only lg:not-sr-only">{children}</span> : <>{children}</>;
}

export function AppShell() {
  const { user, logout } = useAuth();
  const navigate = useNavigate();
  const isAdmin = user?.role === "admin";

  const onLogout = async () => {
    await logout();
    toast.success("Signed out");
    navigate("/login", { replace: true });
  };

  return (
    <div className="flex min-h-dvh flex-col">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-background px-3 py-2 focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:ring-2 focus:ring-ring"
      >
        Skip to content
      </a>
      <header className="sticky top-0 z-40 border-b bg-background/85 backdrop-blur supports-[backdrop-filter]:bg-background/70">
        <div className="mx-auto flex h-14 max-w-6xl items-center gap-3 px-4 sm:gap-6 sm:px-6">
          <NavLink
            to="/orders"
            className="rounded-md outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
          >
            <Logo className="[&>span]:hidden sm:[&>span]:inline" />
            <span className="sr-only">orderflow home</span>
          </NavLink>
          <nav aria-label="Main" className="flex min-w-0 items-center gap-1 overflow-x-auto">
            <NavLink to="/orders" className={navLinkClass}>
              <Package aria-hidden /> <NavLabel admin={isAdmin}>Orders</NavLabel>
            </NavLink>
            {isAdmin && (
              <>
                <NavLink to="/inventory" className={navLinkClass}>
                  <Boxes aria-hidden /> <NavLabel admin>Inventory</NavLabel>
                </NavLink>
                <NavLink to="/stats" className={navLinkClass}>
                  <BarChart3 aria-hidden /> <NavLabel admin>Stats</NavLabel>
                </NavLink>
                <NavLink to="/pipeline" className={navLinkClass}>
                  <Activity aria-hidden /> <NavLabel admin>Pipeline</NavLabel>
                </NavLink>
                <NavLink to="/dead-letters" className={navLinkClass}>
                  <Inbox aria-hidden /> <NavLabel admin>Dead letters</NavLabel>
                </NavLink>
              </>
            )}
          </nav>
          <div className="ml-auto flex items-center gap-2">
            {user && (
              <DropdownMenu>
                <DropdownMenuTrigger asChild>
                  <Button
                    variant="ghost"
                    className="h-9 gap-2 px-1.5 sm:px-2"
                    aria-label={`Account: ${user.email}`}
                    data-testid="user-menu"
                  >
                    <span
                      aria-hidden
                      className="flex size-7 items-center justify-center rounded-full bg-primary text-xs font-semibold text-primary-foreground uppercase"
                    >
                      {user.email.slice(0, 1)}
                    </span>
                    <span className="hidden max-w-48 truncate text-sm md:inline">{user.email}</span>
                    {isAdmin && (
                      <Badge variant="secondary" className="hidden sm:inline-flex">
                        <ShieldCheck aria-hidden /> Admin
                      </Badge>
                    )}
                  </Button>
                </DropdownMenuTrigger>
                <DropdownMenuContent align="end" className="w-60">
                  <DropdownMenuLabel className="grid gap-0.5">
                    <span className="truncate">{user.email}</span>
                    <span className="text-xs font-normal text-muted-foreground capitalize">
                      {user.role}
                    </span>
                  </DropdownMenuLabel>
                  <DropdownMenuSeparator />
                  <DropdownMenuItem onSelect={() => void onLogout()}>
                    <LogOut aria-hidden /> Log out
                  </DropdownMenuItem>
                </DropdownMenuContent>
              </DropdownMenu>
            )}
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-4 py-6 sm:px-6 sm:py-8">
        <Outlet />
      </main>
    </div>
  );
}
