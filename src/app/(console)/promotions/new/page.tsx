import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { PromotionForm } from "../promotion-form";
import { blankPromotion } from "../promotion-form-values";

export default async function NewPromotionPage() {
  await requirePermission("promotions.write");
  return (
    <div className="flex flex-col gap-6">
      <PageHeader title="New promotion" description="It starts as a draft; activate it on the next page once it has a code." />
      <PromotionForm initial={{ ...blankPromotion, startsOn: new Date().toISOString().slice(0, 10) }} />
    </div>
  );
}
