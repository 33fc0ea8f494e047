CREATE TABLE "billed_usage" (
	"subscription_id" uuid NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"period_end" timestamp with time zone NOT NULL,
	"meter_key" text NOT NULL,
	"group_key" text NOT NULL,
	"dimensions" jsonb NOT NULL,
	"usage_quantity" numeric NOT NULL,
	"billable_quantity" numeric NOT NULL,
	"amount_micros" bigint NOT NULL,
	"last_invoice_id" uuid NOT NULL,
	"billed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "billed_usage_subscription_id_period_start_meter_key_group_key_pk" PRIMARY KEY("subscription_id","period_start","meter_key","group_key")
);
--> statement-breakpoint
CREATE TABLE "billing_settings" (
	"key" text PRIMARY KEY NOT NULL,
	"threshold_micros" bigint,
	"closes_from" timestamp with time zone,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "billing_settings_threshold_check" CHECK ("billing_settings"."threshold_micros" is null or "billing_settings"."threshold_micros" > 0)
);
--> statement-breakpoint
CREATE TABLE "invoice_lines" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"invoice_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"kind" text NOT NULL,
	"description" text NOT NULL,
	"product_key" text,
	"meter_key" text,
	"dimensions" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"service_period_start" timestamp with time zone NOT NULL,
	"service_period_end" timestamp with time zone NOT NULL,
	"usage_quantity" numeric,
	"allowance_quantity" numeric,
	"quantity" numeric,
	"unit_price" numeric,
	"tiers" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"amount_micros" bigint NOT NULL,
	"amount_cents" bigint NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "invoice_lines_sign_check" CHECK ("invoice_lines"."kind" not in ('discount', 'credit') or "invoice_lines"."amount_micros" <= 0)
);
--> statement-breakpoint
CREATE TABLE "invoice_number_counters" (
	"series" text PRIMARY KEY NOT NULL,
	"last_number" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invoices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"number" text,
	"customer_id" uuid NOT NULL,
	"subscription_id" uuid NOT NULL,
	"plan_version_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"sequence" integer DEFAULT 0 NOT NULL,
	"status" text NOT NULL,
	"currency" text NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"period_end" timestamp with time zone NOT NULL,
	"subtotal_micros" bigint NOT NULL,
	"discount_micros" bigint NOT NULL,
	"credit_micros" bigint NOT NULL,
	"total_micros" bigint NOT NULL,
	"subtotal_cents" bigint NOT NULL,
	"discount_cents" bigint NOT NULL,
	"credit_cents" bigint NOT NULL,
	"total_cents" bigint NOT NULL,
	"rounding_micros" bigint NOT NULL,
	"stripe_invoice_id" text,
	"ledger_transaction_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"finalized_at" timestamp with time zone,
	"paid_at" timestamp with time zone,
	"voided_at" timestamp with time zone,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "invoices_number_check" CHECK (("invoices"."status" = 'draft') = ("invoices"."number" is null)),
	CONSTRAINT "invoices_period_check" CHECK ("invoices"."period_end" > "invoices"."period_start"),
	CONSTRAINT "invoices_total_check" CHECK ("invoices"."total_micros" = "invoices"."subtotal_micros" - "invoices"."discount_micros" - "invoices"."credit_micros"),
	CONSTRAINT "invoices_total_cents_check" CHECK ("invoices"."total_cents" = "invoices"."subtotal_cents" - "invoices"."discount_cents" - "invoices"."credit_cents"),
	CONSTRAINT "invoices_rounding_check" CHECK ("invoices"."rounding_micros" = "invoices"."total_micros" - "invoices"."total_cents" * 10000),
	CONSTRAINT "invoices_sequence_check" CHECK ("invoices"."sequence" >= 0 and ("invoices"."kind" <> 'period' or "invoices"."sequence" = 0))
);
--> statement-breakpoint
ALTER TABLE "billed_usage" ADD CONSTRAINT "billed_usage_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billed_usage" ADD CONSTRAINT "billed_usage_last_invoice_id_invoices_id_fk" FOREIGN KEY ("last_invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoice_lines" ADD CONSTRAINT "invoice_lines_invoice_id_invoices_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_plan_version_id_catalog_plan_versions_id_fk" FOREIGN KEY ("plan_version_id") REFERENCES "public"."catalog_plan_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "billed_usage_recent_idx" ON "billed_usage" USING btree ("subscription_id","period_end");--> statement-breakpoint
CREATE UNIQUE INDEX "invoice_lines_position_key" ON "invoice_lines" USING btree ("invoice_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_subscription_period_kind_key" ON "invoices" USING btree ("subscription_id","period_start","kind","sequence");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_number_key" ON "invoices" USING btree ("number");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_stripe_invoice_key" ON "invoices" USING btree ("stripe_invoice_id");--> statement-breakpoint
CREATE INDEX "invoices_customer_idx" ON "invoices" USING btree ("customer_id","period_start");--> statement-breakpoint
CREATE INDEX "invoices_issued_idx" ON "invoices" USING btree ("issued_at","id");