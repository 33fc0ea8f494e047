import Link from "next/link";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDateTime, formatMoney } from "@/lib/format";
import { can } from "@/server/api/permissions";
import { getServerApi } from "@/trpc/server";
import { EditSettingButton } from "./edit-setting-button";

function shown(value: string, unit: string): string {
  if (unit === "micros") return formatMoney(value.split(".")[0] ?? "0");
  if (unit === "ratio") return `${value}×`;
  if (unit === "share") return `${Math.round(Number(value) * 100)}%`;
  return `${Number(value).toLocaleString("en-US")} ${unit}`;
}

/** Detection thresholds: everyone who reads the queue can see why something fired; admin changes them (audited). */
export default async function AnomalySettingsPage() {
  const user = await requirePermission("anomalies.read");
  const api = await getServerApi();
  const settings = await api.anomaly.settings();
  const groups = [...new Set(settings.map((setting) => setting.group))];
  const editable = can(user.role, "anomalies.configure");
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Detection thresholds"
        description="What makes detection open an anomaly. Changes apply from the next run and are kept in the audit log."
        actions={
          <Link href="/anomalies" className="text-sm underline-offset-4 hover:underline">
            ← Queue
          </Link>
        }
      />
      {groups.map((group) => (
        <Card key={group}>
          <CardHeader>
            <CardTitle>{group}</CardTitle>
          </CardHeader>
          <CardContent>
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>Threshold</TableHead>
                  <TableHead className="text-right">Value</TableHead>
                  <TableHead>Changed</TableHead>
                  {editable ? <TableHead /> : null}
                </TableRow>
              </TableHeader>
              <TableBody>
                {settings
                  .filter((setting) => setting.group === group)
                  .map((setting) => (
                    <TableRow key={setting.key}>
                      <TableCell className="max-w-xl whitespace-normal">
                        <div className="font-medium">{setting.label}</div>
                        <div className="text-xs text-muted-foreground">{setting.description}</div>
                      </TableCell>
                      <TableCell className="text-right tabular-nums whitespace-nowrap">{shown(setting.value, setting.unit)}</TableCell>
                      <TableCell className="text-xs">{setting.changedBy ? `${setting.changedBy}, ${formatDateTime(setting.changedAt)}` : "default"}</TableCell>
                      {editable ? (
                        <TableCell>
                          <EditSettingButton settingKey={setting.key} label={setting.label} value={setting.value} min={setting.min} max={setting.max} unit={setting.unit} />
                        </TableCell>
                      ) : null}
                    </TableRow>
                  ))}
              </TableBody>
            </Table>
          </CardContent>
        </Card>
      ))}
    </div>
  );
}
