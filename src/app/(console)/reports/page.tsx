import Link from "next/link";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { can } from "@/server/api/permissions";
import { reportPages } from "./report-pages";

export default async function ReportsPage() {
  const user = await requirePermission("reports.read");
  return (
    <div>
      <PageHeader title="Reports" description="Finance reports from the ledger. Every report reconciles to the trial balance of the same date and drills down to its postings." />
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        {reportPages.map((page) => (
          <Link key={page.key} href={`/reports/${page.key}`} className="rounded-lg focus-visible:outline-2 focus-visible:outline-offset-2">
            <Card className="h-full transition-colors hover:bg-muted/50">
              <CardHeader className="pb-2">
                <CardTitle className="text-base">{page.title}</CardTitle>
              </CardHeader>
              <CardContent className="text-sm text-muted-foreground">{page.description}</CardContent>
            </Card>
          </Link>
        ))}
        <Link href="/reports/periods" className="rounded-lg focus-visible:outline-2 focus-visible:outline-offset-2">
          <Card className="h-full transition-colors hover:bg-muted/50">
            <CardHeader className="pb-2">
              <CardTitle className="text-base">Closed months</CardTitle>
            </CardHeader>
            <CardContent className="text-sm text-muted-foreground">
              {can(user.role, "periods.close") ? "Close a month, download its close package, and see who closed what." : "Which months are closed, and by whom."}
            </CardContent>
          </Card>
        </Link>
      </div>
    </div>
  );
}
