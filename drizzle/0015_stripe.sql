CREATE TABLE "stripe_backfill_cursors" (
	"resource" text PRIMARY KEY NOT NULL,
	"cursor" text,
	"objects_stored" integer DEFAULT 0 NOT NULL,
	"completed_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stripe_customers" (
	"stripe_id" text PRIMARY KEY NOT NULL,
	"customer_id" uuid,
	"livemode" boolean DEFAULT false NOT NULL,
	"stripe_created" timestamp with time zone NOT NULL,
	"last_event_created" timestamp with time zone,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"email" text,
	"name" text,
	"default_payment_method_id" text,
	"deleted" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stripe_invoices" (
	"stripe_id" text PRIMARY KEY NOT NULL,
	"customer_id" uuid,
	"livemode" boolean DEFAULT false NOT NULL,
	"stripe_created" timestamp with time zone NOT NULL,
	"last_event_created" timestamp with time zone,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"stripe_customer_id" text NOT NULL,
	"stripe_subscription_id" text,
	"number" text,
	"status" text NOT NULL,
	"billing_reason" text,
	"currency" text NOT NULL,
	"total" bigint NOT NULL,
	"amount_due" bigint NOT NULL,
	"amount_paid" bigint NOT NULL,
	"amount_remaining" bigint NOT NULL,
	"period_start" timestamp with time zone,
	"period_end" timestamp with time zone,
	"hosted_invoice_url" text,
	"paid_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "stripe_payment_methods" (
	"stripe_id" text PRIMARY KEY NOT NULL,
	"customer_id" uuid,
	"livemode" boolean DEFAULT false NOT NULL,
	"stripe_created" timestamp with time zone NOT NULL,
	"last_event_created" timestamp with time zone,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"stripe_customer_id" text,
	"type" text NOT NULL,
	"brand" text,
	"last4" text,
	"exp_month" integer,
	"exp_year" integer,
	"detached" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stripe_subscriptions" (
	"stripe_id" text PRIMARY KEY NOT NULL,
	"customer_id" uuid,
	"livemode" boolean DEFAULT false NOT NULL,
	"stripe_created" timestamp with time zone NOT NULL,
	"last_event_created" timestamp with time zone,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"stripe_customer_id" text NOT NULL,
	"subscription_id" uuid,
	"status" text NOT NULL,
	"price_id" text,
	"quantity" integer,
	"cancel_at_period_end" boolean DEFAULT false NOT NULL,
	"current_period_start" timestamp with time zone,
	"current_period_end" timestamp with time zone,
	"trial_end" timestamp with time zone,
	"canceled_at" timestamp with time zone,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "stripe_sync_failures" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"operation" text NOT NULL,
	"object_type" text NOT NULL,
	"object_id" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"http_status" integer,
	"error_type" text,
	"error_code" text,
	"message" text NOT NULL,
	"request_id" text,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stripe_webhook_events" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"created" timestamp with time zone NOT NULL,
	"payload" jsonb NOT NULL,
	"livemode" boolean DEFAULT false NOT NULL,
	"stripe_customer_id" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_until" timestamp with time zone,
	"processed_at" timestamp with time zone,
	CONSTRAINT "stripe_webhook_events_id" CHECK ("stripe_webhook_events"."id" like 'evt_%'),
	CONSTRAINT "stripe_webhook_events_attempts" CHECK ("stripe_webhook_events"."attempts" >= 0)
);
--> statement-breakpoint
ALTER TABLE "stripe_customers" ADD CONSTRAINT "stripe_customers_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stripe_invoices" ADD CONSTRAINT "stripe_invoices_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stripe_payment_methods" ADD CONSTRAINT "stripe_payment_methods_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stripe_subscriptions" ADD CONSTRAINT "stripe_subscriptions_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "stripe_customers_customer_key" ON "stripe_customers" USING btree ("customer_id") WHERE "stripe_customers"."deleted" = false;--> statement-breakpoint
CREATE INDEX "stripe_invoices_customer_idx" ON "stripe_invoices" USING btree ("customer_id","stripe_created");--> statement-breakpoint
CREATE INDEX "stripe_payment_methods_customer_idx" ON "stripe_payment_methods" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "stripe_subscriptions_customer_idx" ON "stripe_subscriptions" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "stripe_sync_failures_occurred_idx" ON "stripe_sync_failures" USING btree ("occurred_at");--> statement-breakpoint
CREATE INDEX "stripe_sync_failures_object_idx" ON "stripe_sync_failures" USING btree ("object_type","object_id");--> statement-breakpoint
CREATE INDEX "stripe_webhook_events_due_idx" ON "stripe_webhook_events" USING btree ("next_attempt_at") WHERE "stripe_webhook_events"."status" in ('pending', 'failed');--> statement-breakpoint
CREATE INDEX "stripe_webhook_events_customer_idx" ON "stripe_webhook_events" USING btree ("stripe_customer_id","created");--> statement-breakpoint
CREATE INDEX "stripe_webhook_events_status_idx" ON "stripe_webhook_events" USING btree ("status","received_at");