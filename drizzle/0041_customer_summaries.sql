CREATE TABLE "customer_summaries" (
	"customer_id" uuid PRIMARY KEY NOT NULL,
	"name_key" text NOT NULL,
	"kind" text NOT NULL,
	"currency" text NOT NULL,
	"archived" boolean DEFAULT false NOT NULL,
	"customer_created_at" timestamp with time zone NOT NULL,
	"plan_name" text DEFAULT '' NOT NULL,
	"plan_key" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'none' NOT NULL,
	"balance_due_micros" bigint DEFAULT 0 NOT NULL,
	"month_spend_micros" bigint DEFAULT 0 NOT NULL,
	"spend_month" date,
	"open_anomalies" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "customer_summaries" ADD CONSTRAINT "customer_summaries_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "customer_summaries_name_idx" ON "customer_summaries" USING btree ("name_key","customer_id");--> statement-breakpoint
CREATE INDEX "customer_summaries_created_idx" ON "customer_summaries" USING btree ("customer_created_at","customer_id");--> statement-breakpoint
CREATE INDEX "customer_summaries_plan_idx" ON "customer_summaries" USING btree ("plan_name","customer_id");--> statement-breakpoint
CREATE INDEX "customer_summaries_status_idx" ON "customer_summaries" USING btree ("status","customer_id");--> statement-breakpoint
CREATE INDEX "customer_summaries_balance_idx" ON "customer_summaries" USING btree ("balance_due_micros","customer_id");--> statement-breakpoint
CREATE INDEX "customer_summaries_spend_idx" ON "customer_summaries" USING btree ("month_spend_micros","customer_id");--> statement-breakpoint
CREATE INDEX "customer_summaries_anomalies_idx" ON "customer_summaries" USING btree ("open_anomalies","customer_id");--> statement-breakpoint
CREATE INDEX "customer_summaries_status_name_idx" ON "customer_summaries" USING btree ("status","name_key","customer_id");--> statement-breakpoint
CREATE INDEX "customer_summaries_status_balance_idx" ON "customer_summaries" USING btree ("status","balance_due_micros","customer_id");--> statement-breakpoint
CREATE INDEX "customer_summaries_status_spend_idx" ON "customer_summaries" USING btree ("status","month_spend_micros","customer_id");--> statement-breakpoint
CREATE INDEX "customer_summaries_plan_name_idx" ON "customer_summaries" USING btree ("plan_key","name_key","customer_id");