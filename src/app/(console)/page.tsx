import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { AdminSection, FinanceSection, ProductSection, SupportSection } from "@/components/home/home-sections";
import type { Role } from "@/db/schema";
import { getServerApi } from "@/trpc/server";

/** What each role looks at first, in order; an admin sees billing health first, then everything. */
const sectionsByRole: Record<Role, ("admin" | "support" | "finance" | "product")[]> = {
  support: ["support"],
  product: ["product"],
  finance: ["finance", "support"],
  admin: ["admin", "support", "finance", "product"],
};

const greeting: Record<Role, string> = {
  support: "Customers who need you today, and what is waiting on others.",
  product: "How the catalog is used: usage over time, plan mix, promotions and trials.",
  finance: "This month's invoicing against last, what is owed, what is held as credit, and what disagrees.",
  admin: "Billing health first, then each team's numbers.",
};

export default async function HomePage() {
  const user = await requirePermission("session.read");
  const api = await getServerApi();
  const sections = sectionsByRole[user.role];
  const [support, product, finance, admin] = await Promise.all([
    sections.includes("support") ? api.home.support() : null,
    sections.includes("product") ? api.home.product() : null,
    sections.includes("finance") ? api.home.finance() : null,
    sections.includes("admin") ? api.home.admin() : null,
  ]);
  return (
    <div className="flex flex-col gap-8">
      <PageHeader title="Home" description={greeting[user.role]} />
      {sections.map((section) => {
        if (section === "admin" && admin) return <AdminSection key={section} data={admin} />;
        if (section === "support" && support) return <SupportSection key={section} data={support} />;
        if (section === "finance" && finance) return <FinanceSection key={section} data={finance} />;
        if (section === "product" && product) return <ProductSection key={section} data={product} />;
        return null;
      })}
    </div>
  );
}
