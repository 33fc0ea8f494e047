CREATE TABLE "dunning_cases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"stripe_invoice_id" text NOT NULL,
	"stripe_subscription_id" text,
	"status" text DEFAULT 'open' NOT NULL,
	"attempt_count" integer DEFAULT 0 NOT NULL,
	"next_retry_at" timestamp with time zone,
	"amount_due_micros" bigint NOT NULL,
	"currency" text NOT NULL,
	"hosted_invoice_url" text,
	"first_failed_at" timestamp with time zone NOT NULL,
	"grace_ends_at" timestamp with time zone NOT NULL,
	"restricted_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"written_off_micros" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "dunning_cases_amount" CHECK ("dunning_cases"."amount_due_micros" >= 0),
	CONSTRAINT "dunning_cases_attempts" CHECK ("dunning_cases"."attempt_count" >= 0)
);
--> statement-breakpoint
CREATE TABLE "dunning_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"attempt" integer,
	"occurred_at" timestamp with time zone NOT NULL,
	"actor" text NOT NULL,
	"reason" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"dedupe_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "subscription_scheduled_changes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"subscription_id" uuid NOT NULL,
	"status" text NOT NULL,
	"from_plan_version_id" uuid NOT NULL,
	"to_plan_version_id" uuid NOT NULL,
	"from_seats" integer NOT NULL,
	"to_seats" integer NOT NULL,
	"effective_at" timestamp with time zone NOT NULL,
	"proration_lines" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"reason" text NOT NULL,
	"created_by" text NOT NULL,
	"applied_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "subscription_scheduled_changes_seats" CHECK ("subscription_scheduled_changes"."to_seats" between 1 and 100000)
);
--> statement-breakpoint
ALTER TABLE "dunning_cases" ADD CONSTRAINT "dunning_cases_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dunning_events" ADD CONSTRAINT "dunning_events_case_id_dunning_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."dunning_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscription_scheduled_changes" ADD CONSTRAINT "subscription_scheduled_changes_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscription_scheduled_changes" ADD CONSTRAINT "subscription_scheduled_changes_from_plan_version_id_catalog_plan_versions_id_fk" FOREIGN KEY ("from_plan_version_id") REFERENCES "public"."catalog_plan_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscription_scheduled_changes" ADD CONSTRAINT "subscription_scheduled_changes_to_plan_version_id_catalog_plan_versions_id_fk" FOREIGN KEY ("to_plan_version_id") REFERENCES "public"."catalog_plan_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "dunning_cases_invoice" ON "dunning_cases" USING btree ("stripe_invoice_id");--> statement-breakpoint
CREATE INDEX "dunning_cases_customer_idx" ON "dunning_cases" USING btree ("customer_id","created_at");--> statement-breakpoint
CREATE INDEX "dunning_cases_grace_idx" ON "dunning_cases" USING btree ("grace_ends_at") WHERE "dunning_cases"."status" = 'open' and "dunning_cases"."restricted_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "dunning_events_dedupe_key" ON "dunning_events" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "dunning_events_case_idx" ON "dunning_events" USING btree ("case_id","occurred_at");--> statement-breakpoint
CREATE INDEX "subscription_scheduled_changes_due_idx" ON "subscription_scheduled_changes" USING btree ("effective_at") WHERE "subscription_scheduled_changes"."status" = 'scheduled';--> statement-breakpoint
CREATE INDEX "subscription_scheduled_changes_subscription_idx" ON "subscription_scheduled_changes" USING btree ("subscription_id","created_at");