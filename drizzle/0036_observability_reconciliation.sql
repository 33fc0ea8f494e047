CREATE TABLE "health_samples" (
	"minute" timestamp with time zone PRIMARY KEY NOT NULL,
	"counters" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"gauges" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "job_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"job" text NOT NULL,
	"request_id" text NOT NULL,
	"status" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"duration_ms" integer,
	"error" text,
	"summary" jsonb,
	CONSTRAINT "job_runs_status_check" CHECK ("job_runs"."status" in ('running', 'succeeded', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "invoice_accuracy" (
	"month" timestamp with time zone PRIMARY KEY NOT NULL,
	"invoices" integer NOT NULL,
	"exact_first_attempt" integer NOT NULL,
	"exact_after_correction" integer NOT NULL,
	"never" integer NOT NULL,
	"not_compared" integer NOT NULL,
	"corrected_micros" bigint NOT NULL,
	"computed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reconciliation_discrepancies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"customer_id" uuid,
	"invoice_id" uuid,
	"objects" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"unit" text NOT NULL,
	"currency" text,
	"expected" numeric NOT NULL,
	"actual" numeric NOT NULL,
	"difference" numeric NOT NULL,
	"amount_micros" bigint DEFAULT 0 NOT NULL,
	"description" text NOT NULL,
	"period_start" timestamp with time zone,
	"period_end" timestamp with time zone,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"resolved_at" timestamp with time zone,
	"first_run_id" uuid NOT NULL,
	"last_run_id" uuid NOT NULL,
	CONSTRAINT "reconciliation_discrepancies_status_check" CHECK ("reconciliation_discrepancies"."status" in ('open', 'resolved') and ("reconciliation_discrepancies"."status" = 'resolved') = ("reconciliation_discrepancies"."resolved_at" is not null)),
	CONSTRAINT "reconciliation_discrepancies_amount_check" CHECK ("reconciliation_discrepancies"."amount_micros" >= 0)
);
--> statement-breakpoint
CREATE TABLE "reconciliation_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"request_id" text,
	"period_start" timestamp with time zone NOT NULL,
	"period_end" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"kinds" text[] NOT NULL,
	"found" integer DEFAULT 0 NOT NULL,
	"opened" integer DEFAULT 0 NOT NULL,
	"resolved" integer DEFAULT 0 NOT NULL,
	"summary" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE INDEX "job_runs_job_idx" ON "job_runs" USING btree ("job","started_at");--> statement-breakpoint
CREATE INDEX "job_runs_started_idx" ON "job_runs" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "job_runs_succeeded_idx" ON "job_runs" USING btree ("job","finished_at") WHERE "job_runs"."status" = 'succeeded';--> statement-breakpoint
CREATE UNIQUE INDEX "reconciliation_discrepancies_open_key" ON "reconciliation_discrepancies" USING btree ("key") WHERE "reconciliation_discrepancies"."status" = 'open';--> statement-breakpoint
CREATE INDEX "reconciliation_discrepancies_status_idx" ON "reconciliation_discrepancies" USING btree ("status","kind","first_seen_at");--> statement-breakpoint
CREATE INDEX "reconciliation_discrepancies_invoice_idx" ON "reconciliation_discrepancies" USING btree ("invoice_id");--> statement-breakpoint
CREATE INDEX "reconciliation_discrepancies_customer_idx" ON "reconciliation_discrepancies" USING btree ("customer_id");