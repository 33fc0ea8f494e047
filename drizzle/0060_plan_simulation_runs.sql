CREATE TABLE "plan_simulation_results" (
	"run_id" uuid NOT NULL,
	"subscription_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"customer_name" text NOT NULL,
	"customer_external_id" text NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"period_end" timestamp with time zone NOT NULL,
	"current_micros" bigint NOT NULL,
	"proposed_micros" bigint NOT NULL,
	"difference_micros" bigint NOT NULL,
	CONSTRAINT "plan_simulation_results_run_id_subscription_id_pk" PRIMARY KEY("run_id","subscription_id"),
	CONSTRAINT "plan_simulation_results_difference_check" CHECK ("plan_simulation_results"."difference_micros" = "plan_simulation_results"."proposed_micros" - "plan_simulation_results"."current_micros")
);
--> statement-breakpoint
CREATE TABLE "plan_simulation_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"current_version_id" uuid NOT NULL,
	"proposed_version_id" uuid NOT NULL,
	"requested_by" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"currency" text NOT NULL,
	"as_of" timestamp with time zone NOT NULL,
	"subscriptions_expected" integer,
	"subscriptions_done" integer DEFAULT 0 NOT NULL,
	"increase_count" integer DEFAULT 0 NOT NULL,
	"decrease_count" integer DEFAULT 0 NOT NULL,
	"unchanged_count" integer DEFAULT 0 NOT NULL,
	"current_micros" bigint DEFAULT 0 NOT NULL,
	"proposed_micros" bigint DEFAULT 0 NOT NULL,
	"difference_micros" bigint DEFAULT 0 NOT NULL,
	"cursor_subscription_id" uuid,
	"attempt" integer DEFAULT 0 NOT NULL,
	"error_code" text,
	"error_message" text,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"heartbeat_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "plan_simulation_runs_error_check" CHECK (("plan_simulation_runs"."status" = 'failed') = ("plan_simulation_runs"."error_code" is not null)),
	CONSTRAINT "plan_simulation_runs_finished_check" CHECK (("plan_simulation_runs"."status" in ('succeeded', 'failed')) = ("plan_simulation_runs"."finished_at" is not null))
);
--> statement-breakpoint
ALTER TABLE "plan_simulation_results" ADD CONSTRAINT "plan_simulation_results_run_id_plan_simulation_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."plan_simulation_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_simulation_results" ADD CONSTRAINT "plan_simulation_results_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_simulation_results" ADD CONSTRAINT "plan_simulation_results_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_simulation_runs" ADD CONSTRAINT "plan_simulation_runs_current_version_id_catalog_plan_versions_id_fk" FOREIGN KEY ("current_version_id") REFERENCES "public"."catalog_plan_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_simulation_runs" ADD CONSTRAINT "plan_simulation_runs_proposed_version_id_catalog_plan_versions_id_fk" FOREIGN KEY ("proposed_version_id") REFERENCES "public"."catalog_plan_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "plan_simulation_results_difference_idx" ON "plan_simulation_results" USING btree ("run_id","difference_micros","subscription_id");--> statement-breakpoint
CREATE INDEX "plan_simulation_results_magnitude_idx" ON "plan_simulation_results" USING btree ("run_id",abs("difference_micros"),"subscription_id");--> statement-breakpoint
CREATE INDEX "plan_simulation_results_customer_idx" ON "plan_simulation_results" USING btree ("run_id",lower("customer_name"),"subscription_id");--> statement-breakpoint
CREATE INDEX "plan_simulation_results_current_idx" ON "plan_simulation_results" USING btree ("run_id","current_micros","subscription_id");--> statement-breakpoint
CREATE INDEX "plan_simulation_results_proposed_idx" ON "plan_simulation_results" USING btree ("run_id","proposed_micros","subscription_id");--> statement-breakpoint
CREATE INDEX "plan_simulation_runs_proposed_idx" ON "plan_simulation_runs" USING btree ("proposed_version_id","requested_at","id");--> statement-breakpoint
CREATE INDEX "plan_simulation_runs_claimable_idx" ON "plan_simulation_runs" USING btree ("requested_at") WHERE "plan_simulation_runs"."status" in ('queued', 'running');