import type { ReactNode } from "react";
import type { Role } from "@/db/schema/roles";
import type { Permission } from "@/server/api/permissions";
import { AnomaliesSection } from "./anomalies-section";
import { ApiActivitySection } from "./api-activity-section";
import { CreditsSection } from "./credits-section";
import { DunningSection } from "./dunning-section";
import { EntitlementsSection } from "./entitlements-section";
import { InvoicesSection } from "./invoices-section";
import { NotesSection } from "./notes-section";
import { PaymentsSection } from "./payments-section";
import { StripeSection } from "./stripe-section";
import { SubscriptionSection } from "./subscription-section";
import { UsageSection } from "./usage-section";

export type CustomerSectionProps = { customerId: string; role: Role };

/**
 * The customer page is a stack of sections, each owned by a domain (balances, usage,
 * subscription, Stripe, dunning); a section appears for roles with its permission.
 */
export const customerSections: { key: string; permission: Permission; Component: (props: CustomerSectionProps) => ReactNode | Promise<ReactNode> }[] = [
  { key: "anomalies", permission: "anomalies.read", Component: AnomaliesSection },
  { key: "notes", permission: "customers.read", Component: NotesSection },
  { key: "subscription", permission: "billing.read", Component: SubscriptionSection },
  { key: "entitlements", permission: "customers.read", Component: EntitlementsSection },
  { key: "usage", permission: "metering.read", Component: UsageSection },
  { key: "credits", permission: "grants.read", Component: CreditsSection },
  { key: "invoices", permission: "billing.read", Component: InvoicesSection },
  { key: "payments", permission: "stripe.read", Component: PaymentsSection },
  { key: "stripe", permission: "stripe.read", Component: StripeSection },
  { key: "dunning", permission: "billing.read", Component: DunningSection },
  { key: "api-activity", permission: "api.activity.read", Component: ApiActivitySection },
];
