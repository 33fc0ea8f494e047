import type Stripe from "stripe";
import { resourceMissing } from "./errors";

/** The objects the emulator keeps, by their Stripe `object` name, typed with the SDK's own types. */
export interface StoredObjects {
  customer: Stripe.Customer;
  product: Stripe.Product;
  price: Stripe.Price;
  payment_method: Stripe.PaymentMethod;
  subscription: Stripe.Subscription;
  subscription_schedule: Stripe.SubscriptionSchedule;
  invoice: Stripe.Invoice;
  invoiceitem: Stripe.InvoiceItem;
  invoice_payment: Stripe.InvoicePayment;
  payment_intent: Stripe.PaymentIntent;
  charge: Stripe.Charge;
  refund: Stripe.Refund;
  credit_note: Stripe.CreditNote;
  customer_balance_transaction: Stripe.CustomerBalanceTransaction;
  balance_transaction: Stripe.BalanceTransaction;
  payout: Stripe.Payout;
  "billing.meter": Stripe.Billing.Meter;
  "test_helpers.test_clock": Stripe.TestHelpers.TestClock;
  webhook_endpoint: Stripe.WebhookEndpoint;
  event: Stripe.EventBase;
}

export type ObjectName = keyof StoredObjects;

/** Words Stripe uses in "No such <word>: 'id'" messages. */
const missingNames: Record<ObjectName, string> = {
  customer: "customer",
  product: "product",
  price: "price",
  payment_method: "PaymentMethod",
  subscription: "subscription",
  subscription_schedule: "subscription schedule",
  invoice: "invoice",
  invoiceitem: "invoiceitem",
  invoice_payment: "invoice payment",
  payment_intent: "payment_intent",
  charge: "charge",
  refund: "refund",
  credit_note: "credit note",
  customer_balance_transaction: "customer balance transaction",
  balance_transaction: "balance transaction",
  payout: "payout",
  "billing.meter": "billing meter",
  "test_helpers.test_clock": "test clock",
  webhook_endpoint: "webhook endpoint",
  event: "event",
};

export class Store {
  private readonly tables = new Map<ObjectName, Map<string, unknown>>();
  private readonly names = new Map<string, ObjectName>();
  /** Subscription item id → subscription id; items live inside their subscription. */
  readonly subscriptionOfItem = new Map<string, string>();

  insert<N extends ObjectName>(name: N, object: StoredObjects[N]): StoredObjects[N] {
    const id = (object as { id: string }).id;
    if (this.names.has(id)) throw new Error(`duplicate id ${id}`);
    this.table(name).set(id, object);
    this.names.set(id, name);
    return object;
  }

  get<N extends ObjectName>(name: N, id: string): StoredObjects[N] | undefined {
    return this.table(name).get(id) as StoredObjects[N] | undefined;
  }

  require<N extends ObjectName>(name: N, id: string, param = "id"): StoredObjects[N] {
    const found = this.get(name, id);
    if (found === undefined) throw resourceMissing(missingNames[name], id, param);
    return found;
  }

  remove(name: ObjectName, id: string): void {
    this.table(name).delete(id);
  }

  /** Oldest first, in creation order. */
  all<N extends ObjectName>(name: N): StoredObjects[N][] {
    return [...this.table(name).values()] as StoredObjects[N][];
  }

  nameOf(id: string): ObjectName | undefined {
    return this.names.get(id);
  }

  lookup(id: string): unknown {
    const name = this.names.get(id);
    return name === undefined ? undefined : this.table(name).get(id);
  }

  count(name: ObjectName): number {
    return this.table(name).size;
  }

  clear(): void {
    this.tables.clear();
    this.names.clear();
    this.subscriptionOfItem.clear();
  }

  private table(name: ObjectName): Map<string, unknown> {
    let table = this.tables.get(name);
    if (table === undefined) {
      table = new Map();
      this.tables.set(name, table);
    }
    return table;
  }
}
