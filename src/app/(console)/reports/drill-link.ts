import type { DrillSpec } from "@/server/reports/report-model";

/** The drill-down page's URL for a number's postings. */
export function drillHref(spec: DrillSpec): string {
  return `/reports/drilldown?spec=${Buffer.from(JSON.stringify(spec)).toString("base64url")}`;
}
