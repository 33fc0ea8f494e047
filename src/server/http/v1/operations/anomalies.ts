import { z } from "zod";
import { anomalyKinds, anomalySeverities, anomalyStatuses } from "@/db/schema";
import { anomalyJson } from "@/server/anomalies/anomaly-json";
import { listAnomalies } from "@/server/anomalies/list-anomalies";
import { getCustomer } from "@/server/customers/get-customer";
import { defineOperation } from "../operation";
import { currency, customerParam, listOf, microsString, pageQuery, timestamp } from "../schemas";

export const anomalySchema = z
  .strictObject({
    object: z.literal("anomaly"),
    id: z.uuid(),
    kind: z.enum(anomalyKinds).meta({ description: "What was found: `usage_spike`, `usage_drop` (including usage that stopped being counted), `invoice_jump`, `duplicate_charge`, `payment_failure`, `reconciliation`, `credit_burn`, `spend_limit`, `job_failure` (a billing job could not process one customer's item: a period close, a threshold invoice, a grant expiry)." }),
    status: z.enum(anomalyStatuses).meta({ description: "`open` → `acknowledged` → `resolved` | `dismissed` (by a person); `auto_resolved` when a later detection run no longer finds it." }),
    severity: z.enum(anomalySeverities),
    customer: z.uuid().nullable().meta({ description: "The customer's Tally id (null for findings about no one customer)." }),
    customer_external_id: z.string().nullable(),
    subject: z.string().meta({ description: "What it is about: `meter:<key>`, `invoice:<id>`, `charge:<id>`, `grant:<id>`..." }),
    title: z.string().meta({ description: "One line naming the cause." }),
    window: z.strictObject({ start: timestamp, end: timestamp }),
    observed: z.string().nullable().meta({ description: "Observed quantity or amount, exact decimal." }),
    expected: z.string().nullable().meta({ description: "Expected quantity or amount (the baseline), exact decimal." }),
    impact_micros: microsString.nullable().meta({ description: "Money at stake in micro-units of `currency`, where an estimate applies." }),
    currency,
    assignee: z.uuid().nullable(),
    evidence: z.record(z.string(), z.unknown()).meta({ description: "The detector's evidence (baseline, attribution, the objects involved with their ids); shape per kind." }),
    first_detected_at: timestamp,
    last_detected_at: timestamp,
    closed_at: timestamp.nullable(),
    closed_reason: z.string().nullable(),
  })
  .meta({ id: "Anomaly", description: "A billing anomaly Tally detected, with its cause and evidence." });

export const listAnomaliesOperation = defineOperation({
  id: "listAnomalies",
  method: "GET",
  path: "/anomalies",
  scope: "read",
  tag: "Anomalies",
  summary: "List billing anomalies",
  description:
    "Most money at stake first (anomalies without an estimate last), or newest first with `sort=detected`. Filter by `status`, `kind`, `severity` and `customer` to alert on them; page with `starting_after`. The same anomalies are pushed as `anomaly.opened` webhooks.",
  errors: [404],
  query: z.strictObject({
    ...pageQuery,
    status: z.enum(anomalyStatuses).optional(),
    kind: z.enum(anomalyKinds).optional(),
    severity: z.enum(anomalySeverities).optional(),
    customer: customerParam.optional(),
    sort: z.enum(["impact", "detected"]).default("impact").meta({ description: "`impact` (default): most money first; `detected`: newest first." }),
  }),
  responses: { 200: listOf(anomalySchema, "AnomalyList", "A page of anomalies.") },
  handler: async ({ db, query, concerns }) => {
    const customer = query.customer ? await getCustomer(db, query.customer) : null;
    if (customer) concerns(customer.id);
    const page = await listAnomalies(db, { status: query.status, kind: query.kind, severity: query.severity, customerId: customer?.id, sort: query.sort, limit: query.limit, after: query.starting_after });
    return {
      status: 200 as const,
      body: { object: "list" as const, data: page.items.map((item) => anomalyJson(item, item.customer?.externalId ?? null)), has_more: page.nextAfter !== null, url: "/api/v1/anomalies" },
    };
  },
});
