import type { Db } from "@/db/client";
import type { Customer } from "@/db/schema";
import { emitWebhookEvent } from "@/server/webhooks/emit-webhook-event";
import { customerJson, previousAttributes } from "./customer-json";

/** `customer.created` / `customer.updated` in the outbox, in the transaction of the change. */
export const customerEvents = {
  created: (tx: Db, customer: Customer) => emitWebhookEvent(tx, { type: "customer.created", customerId: customer.id, data: { object: customerJson(customer) }, at: customer.updatedAt }),
  updated: (tx: Db, after: Customer, before: Customer) =>
    emitWebhookEvent(tx, {
      type: "customer.updated",
      customerId: after.id,
      data: { object: customerJson(after), previous_attributes: previousAttributes(customerJson(before), customerJson(after)) },
      at: after.updatedAt,
    }),
};
