import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { getServerApi } from "@/trpc/server";
import { CreditLimitsTable } from "./credit-limits-table";

export default async function CreditLimitsPage() {
  await requirePermission("grants.configure");
  const api = await getServerApi();
  const limits = await api.grant.limits();
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Credit limits"
        description="The largest goodwill credit one person of each role may issue on their own. A larger credit waits for a finance approver who is not the requester. A change applies to the next credit requested; credits already waiting keep waiting."
      />
      <CreditLimitsTable
        limits={limits.map((limit) => ({
          role: limit.role,
          limitMicros: limit.limitMicros.toString(),
          isDefault: limit.isDefault,
          updatedBy: limit.updatedBy,
          updatedAt: limit.updatedAt?.toISOString() ?? null,
        }))}
      />
    </div>
  );
}
