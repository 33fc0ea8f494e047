import type { Engine } from "./engine";
import { invalidRequest } from "./errors";

const expandDepthMax = 4;

/** A JSON copy of `value` with Stripe's `expand[]` paths replaced by the objects their ids name. */
export function render(engine: Engine, value: unknown, expand: string[]): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as unknown;
  for (const path of expand) {
    const parts = path.split(".");
    if (parts.length > expandDepthMax) throw invalidRequest(`You cannot expand more than ${expandDepthMax} levels of a property.`, "expand");
    expandPath(engine, copy, parts, path);
  }
  return copy;
}

function expandPath(engine: Engine, node: unknown, parts: string[], path: string): void {
  if (Array.isArray(node)) {
    for (const element of node) expandPath(engine, element, parts, path);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const record = node as Record<string, unknown>;
  const [head, ...rest] = parts;
  if (head === undefined) return;
  if (head === "payments" && record.object === "invoice") {
    record.payments = invoicePayments(engine, String(record.id));
  } else if (!(head in record)) {
    throw invalidRequest(`This property cannot be expanded (${path}).`, "expand");
  } else {
    record[head] = resolve(engine, record[head]);
  }
  if (rest.length > 0) expandPath(engine, record[head], rest, path);
}

function resolve(engine: Engine, value: unknown): unknown {
  if (typeof value === "string") {
    const found = engine.store.lookup(value);
    if (found !== undefined) return JSON.parse(JSON.stringify(found)) as unknown;
    const itemSubscription = engine.store.subscriptionOfItem.get(value);
    if (itemSubscription !== undefined) {
      const subscription = engine.store.get("subscription", itemSubscription);
      const item = subscription?.items.data.find((candidate) => candidate.id === value);
      if (item !== undefined) return JSON.parse(JSON.stringify(item)) as unknown;
    }
    return value;
  }
  if (Array.isArray(value)) return value.map((element) => resolve(engine, element));
  return value;
}

function invoicePayments(engine: Engine, invoiceId: string): unknown {
  const data = engine.store.all("invoice_payment").filter((payment) => payment.invoice === invoiceId);
  return JSON.parse(JSON.stringify({ object: "list", data, has_more: false, url: `/v1/invoice_payments?invoice=${invoiceId}` })) as unknown;
}
