import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { NavLink } from "@/components/console/nav-link";
import { navigation } from "@/components/console/navigation";
import { SignOutButton } from "@/components/console/sign-out-button";
import { Badge } from "@/components/ui/badge";
import { can } from "@/server/api/permissions";
import { getSessionUser } from "@/server/auth/session";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const user = await getSessionUser();
  if (!user) redirect("/sign-in");
  const visible = navigation.filter((item) => can(user.role, item.permission));
  const sections = [...new Set(visible.map((item) => item.section))];
  return (
    <div className="flex min-h-screen">
      <aside className="w-56 shrink-0 border-r bg-muted/30 p-4">
        <div className="mb-6 px-3 text-lg font-semibold tracking-tight">Tally</div>
        <nav aria-label="Console" className="flex flex-col gap-4">
          {sections.map((section) => (
            <div key={section}>
              <div className="mb-1 px-3 text-xs font-medium uppercase tracking-wide text-muted-foreground">{section}</div>
              {visible
                .filter((item) => item.section === section)
                .map((item) => (
                  <NavLink key={item.href} href={item.href}>
                    {item.label}
                  </NavLink>
                ))}
            </div>
          ))}
        </nav>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex h-14 items-center justify-end gap-3 border-b px-6">
          <span className="text-sm text-muted-foreground" data-testid="signed-in-as">
            {user.email}
          </span>
          <Badge variant="secondary" data-testid="signed-in-role">
            {user.role}
          </Badge>
          <SignOutButton />
        </header>
        <main className="flex-1 p-6">{children}</main>
      </div>
    </div>
  );
}
