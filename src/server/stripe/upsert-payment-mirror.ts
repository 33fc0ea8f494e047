import { sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { stripeCharges, stripeInvoicePayments, stripePaymentIntents, stripeRefunds } from "@/db/schema";
import { common, fromUnix, idOf, notStale, type MirrorWrite } from "./upsert-mirror";

/**
 * The payments half of the mirror: payment intents, charges, refunds and invoice payments (the
 * link between an invoice and the payment intent that paid it). Same rule as the rest of the
 * mirror: a write carries the `created` of the event that caused it and never lands over a row
 * a newer event wrote.
 */

const text = (value: string | null | undefined): string | null => (value === undefined || value === null || value === "" ? null : value);

export async function upsertStripePaymentIntent(db: Db, paymentIntent: Stripe.PaymentIntent, write: MirrorWrite): Promise<void> {
  const error = paymentIntent.last_payment_error;
  await db
    .insert(stripePaymentIntents)
    .values({
      stripeId: paymentIntent.id,
      customerId: write.customerId,
      livemode: paymentIntent.livemode,
      stripeCreated: fromUnix(paymentIntent.created) ?? write.now,
      lastEventCreated: write.eventCreated,
      syncedAt: write.now,
      stripeCustomerId: idOf(paymentIntent.customer),
      amount: BigInt(paymentIntent.amount),
      amountReceived: BigInt(paymentIntent.amount_received),
      currency: paymentIntent.currency,
      status: paymentIntent.status,
      description: text(paymentIntent.description),
      latestChargeId: idOf(paymentIntent.latest_charge),
      paymentMethodId: idOf(paymentIntent.payment_method),
      lastErrorCode: text(error?.code),
      lastErrorDeclineCode: text(error?.decline_code),
      lastErrorMessage: text(error?.message),
      canceledAt: fromUnix(paymentIntent.canceled_at),
      cancellationReason: text(paymentIntent.cancellation_reason),
      metadata: paymentIntent.metadata ?? {},
    })
    .onConflictDoUpdate({
      target: stripePaymentIntents.stripeId,
      set: {
        ...common(write, stripePaymentIntents),
        stripeCustomerId: sql`coalesce(excluded.stripe_customer_id, ${stripePaymentIntents.stripeCustomerId})`,
        amount: sql`excluded.amount`,
        amountReceived: sql`excluded.amount_received`,
        status: sql`excluded.status`,
        description: sql`excluded.description`,
        latestChargeId: sql`excluded.latest_charge_id`,
        paymentMethodId: sql`excluded.payment_method_id`,
        lastErrorCode: sql`excluded.last_error_code`,
        lastErrorDeclineCode: sql`excluded.last_error_decline_code`,
        lastErrorMessage: sql`excluded.last_error_message`,
        canceledAt: sql`excluded.canceled_at`,
        cancellationReason: sql`excluded.cancellation_reason`,
        metadata: sql`excluded.metadata`,
      },
      setWhere: notStale(stripePaymentIntents),
    });
}

export async function upsertStripeCharge(db: Db, charge: Stripe.Charge, write: MirrorWrite): Promise<void> {
  const details = charge.payment_method_details;
  const card = details?.card ?? null;
  await db
    .insert(stripeCharges)
    .values({
      stripeId: charge.id,
      customerId: write.customerId,
      livemode: charge.livemode,
      stripeCreated: fromUnix(charge.created) ?? write.now,
      lastEventCreated: write.eventCreated,
      syncedAt: write.now,
      stripeCustomerId: idOf(charge.customer),
      paymentIntentId: idOf(charge.payment_intent),
      amount: BigInt(charge.amount),
      amountCaptured: BigInt(charge.amount_captured),
      amountRefunded: BigInt(charge.amount_refunded),
      currency: charge.currency,
      status: charge.status,
      paid: charge.paid,
      captured: charge.captured,
      refunded: charge.refunded,
      disputed: charge.disputed,
      description: text(charge.description),
      failureCode: text(charge.failure_code),
      failureMessage: text(charge.failure_message),
      outcomeReason: text(charge.outcome?.reason),
      outcomeType: text(charge.outcome?.type),
      sellerMessage: text(charge.outcome?.seller_message),
      paymentMethodId: text(charge.payment_method),
      paymentMethodType: text(details?.type),
      cardBrand: text(card?.brand),
      cardLast4: text(card?.last4),
      cardExpMonth: card?.exp_month ?? null,
      cardExpYear: card?.exp_year ?? null,
      receiptUrl: text(charge.receipt_url),
      metadata: charge.metadata ?? {},
    })
    .onConflictDoUpdate({
      target: stripeCharges.stripeId,
      set: {
        ...common(write, stripeCharges),
        stripeCustomerId: sql`coalesce(excluded.stripe_customer_id, ${stripeCharges.stripeCustomerId})`,
        paymentIntentId: sql`coalesce(excluded.payment_intent_id, ${stripeCharges.paymentIntentId})`,
        amount: sql`excluded.amount`,
        amountCaptured: sql`excluded.amount_captured`,
        amountRefunded: sql`excluded.amount_refunded`,
        status: sql`excluded.status`,
        paid: sql`excluded.paid`,
        captured: sql`excluded.captured`,
        refunded: sql`excluded.refunded`,
        disputed: sql`excluded.disputed`,
        description: sql`excluded.description`,
        failureCode: sql`excluded.failure_code`,
        failureMessage: sql`excluded.failure_message`,
        outcomeReason: sql`excluded.outcome_reason`,
        outcomeType: sql`excluded.outcome_type`,
        sellerMessage: sql`excluded.seller_message`,
        paymentMethodId: sql`excluded.payment_method_id`,
        paymentMethodType: sql`excluded.payment_method_type`,
        cardBrand: sql`excluded.card_brand`,
        cardLast4: sql`excluded.card_last4`,
        cardExpMonth: sql`excluded.card_exp_month`,
        cardExpYear: sql`excluded.card_exp_year`,
        receiptUrl: sql`excluded.receipt_url`,
        metadata: sql`excluded.metadata`,
      },
      setWhere: notStale(stripeCharges),
    });
}

export async function upsertStripeRefund(db: Db, refund: Stripe.Refund, write: MirrorWrite): Promise<void> {
  await db
    .insert(stripeRefunds)
    .values({
      stripeId: refund.id,
      customerId: write.customerId,
      livemode: false,
      stripeCreated: fromUnix(refund.created) ?? write.now,
      lastEventCreated: write.eventCreated,
      syncedAt: write.now,
      chargeId: idOf(refund.charge),
      paymentIntentId: idOf(refund.payment_intent),
      amount: BigInt(refund.amount),
      currency: refund.currency,
      status: refund.status ?? "pending",
      reason: text(refund.reason),
      failureReason: text(refund.failure_reason),
      description: text(refund.description),
      metadata: refund.metadata ?? {},
    })
    .onConflictDoUpdate({
      target: stripeRefunds.stripeId,
      set: {
        ...common(write, stripeRefunds),
        chargeId: sql`coalesce(excluded.charge_id, ${stripeRefunds.chargeId})`,
        paymentIntentId: sql`coalesce(excluded.payment_intent_id, ${stripeRefunds.paymentIntentId})`,
        amount: sql`excluded.amount`,
        status: sql`excluded.status`,
        reason: sql`excluded.reason`,
        failureReason: sql`excluded.failure_reason`,
        description: sql`excluded.description`,
        metadata: sql`excluded.metadata`,
      },
      setWhere: notStale(stripeRefunds),
    });
}

export async function upsertStripeInvoicePayment(db: Db, payment: Stripe.InvoicePayment, write: MirrorWrite): Promise<void> {
  const stripeInvoiceId = idOf(payment.invoice as string | { id: string } | null);
  if (stripeInvoiceId === null) return;
  await db
    .insert(stripeInvoicePayments)
    .values({
      stripeId: payment.id,
      customerId: write.customerId,
      livemode: payment.livemode,
      stripeCreated: fromUnix(payment.created) ?? write.now,
      lastEventCreated: write.eventCreated,
      syncedAt: write.now,
      stripeInvoiceId,
      paymentIntentId: payment.payment.type === "payment_intent" ? idOf(payment.payment.payment_intent ?? null) : null,
      amountRequested: BigInt(payment.amount_requested),
      amountPaid: payment.amount_paid === null ? null : BigInt(payment.amount_paid),
      currency: payment.currency,
      status: payment.status,
      isDefault: payment.is_default,
      paidAt: fromUnix(payment.status_transitions?.paid_at),
    })
    .onConflictDoUpdate({
      target: stripeInvoicePayments.stripeId,
      set: {
        ...common(write, stripeInvoicePayments),
        amountRequested: sql`excluded.amount_requested`,
        amountPaid: sql`excluded.amount_paid`,
        status: sql`excluded.status`,
        isDefault: sql`excluded.is_default`,
        paidAt: sql`excluded.paid_at`,
      },
      setWhere: notStale(stripeInvoicePayments),
    });
}
