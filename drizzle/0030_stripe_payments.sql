CREATE TABLE "stripe_charges" (
	"stripe_id" text PRIMARY KEY NOT NULL,
	"customer_id" uuid,
	"livemode" boolean DEFAULT false NOT NULL,
	"stripe_created" timestamp with time zone NOT NULL,
	"last_event_created" timestamp with time zone,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"stripe_customer_id" text,
	"payment_intent_id" text,
	"amount" bigint NOT NULL,
	"amount_captured" bigint NOT NULL,
	"amount_refunded" bigint NOT NULL,
	"currency" text NOT NULL,
	"status" text NOT NULL,
	"paid" boolean NOT NULL,
	"captured" boolean NOT NULL,
	"refunded" boolean NOT NULL,
	"disputed" boolean NOT NULL,
	"description" text,
	"failure_code" text,
	"failure_message" text,
	"outcome_reason" text,
	"outcome_type" text,
	"seller_message" text,
	"payment_method_id" text,
	"payment_method_type" text,
	"card_brand" text,
	"card_last4" text,
	"card_exp_month" integer,
	"card_exp_year" integer,
	"receipt_url" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stripe_invoice_payments" (
	"stripe_id" text PRIMARY KEY NOT NULL,
	"customer_id" uuid,
	"livemode" boolean DEFAULT false NOT NULL,
	"stripe_created" timestamp with time zone NOT NULL,
	"last_event_created" timestamp with time zone,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"stripe_invoice_id" text NOT NULL,
	"payment_intent_id" text,
	"amount_requested" bigint NOT NULL,
	"amount_paid" bigint,
	"currency" text NOT NULL,
	"status" text NOT NULL,
	"is_default" boolean DEFAULT true NOT NULL,
	"paid_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "stripe_payment_intents" (
	"stripe_id" text PRIMARY KEY NOT NULL,
	"customer_id" uuid,
	"livemode" boolean DEFAULT false NOT NULL,
	"stripe_created" timestamp with time zone NOT NULL,
	"last_event_created" timestamp with time zone,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"stripe_customer_id" text,
	"amount" bigint NOT NULL,
	"amount_received" bigint NOT NULL,
	"currency" text NOT NULL,
	"status" text NOT NULL,
	"description" text,
	"latest_charge_id" text,
	"payment_method_id" text,
	"last_error_code" text,
	"last_error_decline_code" text,
	"last_error_message" text,
	"canceled_at" timestamp with time zone,
	"cancellation_reason" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stripe_refunds" (
	"stripe_id" text PRIMARY KEY NOT NULL,
	"customer_id" uuid,
	"livemode" boolean DEFAULT false NOT NULL,
	"stripe_created" timestamp with time zone NOT NULL,
	"last_event_created" timestamp with time zone,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"charge_id" text,
	"payment_intent_id" text,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"failure_reason" text,
	"description" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "stripe_charges" ADD CONSTRAINT "stripe_charges_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stripe_invoice_payments" ADD CONSTRAINT "stripe_invoice_payments_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stripe_payment_intents" ADD CONSTRAINT "stripe_payment_intents_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stripe_refunds" ADD CONSTRAINT "stripe_refunds_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stripe_charges_customer_idx" ON "stripe_charges" USING btree ("customer_id","stripe_created");--> statement-breakpoint
CREATE INDEX "stripe_charges_payment_intent_idx" ON "stripe_charges" USING btree ("payment_intent_id");--> statement-breakpoint
CREATE INDEX "stripe_charges_created_idx" ON "stripe_charges" USING btree ("stripe_created");--> statement-breakpoint
CREATE INDEX "stripe_invoice_payments_invoice_idx" ON "stripe_invoice_payments" USING btree ("stripe_invoice_id");--> statement-breakpoint
CREATE INDEX "stripe_invoice_payments_payment_intent_idx" ON "stripe_invoice_payments" USING btree ("payment_intent_id");--> statement-breakpoint
CREATE INDEX "stripe_payment_intents_customer_idx" ON "stripe_payment_intents" USING btree ("customer_id","stripe_created");--> statement-breakpoint
CREATE INDEX "stripe_refunds_customer_idx" ON "stripe_refunds" USING btree ("customer_id","stripe_created");--> statement-breakpoint
CREATE INDEX "stripe_refunds_charge_idx" ON "stripe_refunds" USING btree ("charge_id");--> statement-breakpoint
CREATE INDEX "stripe_refunds_created_idx" ON "stripe_refunds" USING btree ("stripe_created");