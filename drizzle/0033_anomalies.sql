CREATE TABLE "metering_subject_rejections" (
	"hour" timestamp with time zone NOT NULL,
	"subject" text NOT NULL,
	"code" text NOT NULL,
	"count" bigint DEFAULT 0 NOT NULL,
	"last_message" text,
	CONSTRAINT "metering_subject_rejections_subject_hour_code_pk" PRIMARY KEY("subject","hour","code")
);
--> statement-breakpoint
CREATE TABLE "entitlement_denial_counts" (
	"hour" timestamp with time zone NOT NULL,
	"customer_id" uuid NOT NULL,
	"feature_key" text NOT NULL,
	"reason" text NOT NULL,
	"count" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "entitlement_denial_counts_customer_id_hour_feature_key_reason_pk" PRIMARY KEY("customer_id","hour","feature_key","reason")
);
--> statement-breakpoint
CREATE TABLE "anomalies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"severity" text NOT NULL,
	"customer_id" uuid,
	"subject" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"window_end" timestamp with time zone NOT NULL,
	"title" text NOT NULL,
	"observed" numeric,
	"expected" numeric,
	"impact_micros" bigint,
	"currency" text DEFAULT 'usd' NOT NULL,
	"evidence" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"assignee_id" uuid,
	"first_detected_at" timestamp with time zone NOT NULL,
	"last_detected_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"closed_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "anomalies_window_check" CHECK ("anomalies"."window_end" >= "anomalies"."window_start"),
	CONSTRAINT "anomalies_closed_check" CHECK (("anomalies"."status" in ('open', 'acknowledged')) = ("anomalies"."closed_at" is null))
);
--> statement-breakpoint
CREATE TABLE "anomaly_activity" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"anomaly_id" uuid NOT NULL,
	"action" text NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text NOT NULL,
	"actor_label" text NOT NULL,
	"note" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "anomaly_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"mode" text NOT NULL,
	"as_of" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"summary" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "anomaly_settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" numeric NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "anomaly_usage_days" (
	"meter_id" uuid NOT NULL,
	"subject" text NOT NULL,
	"day" date NOT NULL,
	"quantity" numeric NOT NULL,
	"events" bigint NOT NULL,
	"active_hours" integer NOT NULL,
	"refreshed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "anomaly_usage_days_meter_id_subject_day_pk" PRIMARY KEY("meter_id","subject","day")
);
--> statement-breakpoint
CREATE TABLE "customer_notes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"body" text NOT NULL,
	"author_id" text NOT NULL,
	"author_label" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "customer_notes_body_check" CHECK (length("customer_notes"."body") between 1 and 5000)
);
--> statement-breakpoint
ALTER TABLE "entitlement_denial_counts" ADD CONSTRAINT "entitlement_denial_counts_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "anomalies" ADD CONSTRAINT "anomalies_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "anomalies" ADD CONSTRAINT "anomalies_assignee_id_users_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "anomaly_activity" ADD CONSTRAINT "anomaly_activity_anomaly_id_anomalies_id_fk" FOREIGN KEY ("anomaly_id") REFERENCES "public"."anomalies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "anomaly_usage_days" ADD CONSTRAINT "anomaly_usage_days_meter_id_catalog_meters_id_fk" FOREIGN KEY ("meter_id") REFERENCES "public"."catalog_meters"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_notes" ADD CONSTRAINT "customer_notes_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "metering_subject_rejections_hour_idx" ON "metering_subject_rejections" USING btree ("hour");--> statement-breakpoint
CREATE INDEX "entitlement_denial_counts_hour_idx" ON "entitlement_denial_counts" USING btree ("hour");--> statement-breakpoint
CREATE UNIQUE INDEX "anomalies_identity_key" ON "anomalies" USING btree ("kind",coalesce("customer_id", '00000000-0000-0000-0000-000000000000'::uuid),"subject","window_start");--> statement-breakpoint
CREATE INDEX "anomalies_queue_idx" ON "anomalies" USING btree ("status","impact_micros" desc nulls last,"id");--> statement-breakpoint
CREATE INDEX "anomalies_customer_idx" ON "anomalies" USING btree ("customer_id","status","window_start");--> statement-breakpoint
CREATE INDEX "anomalies_kind_idx" ON "anomalies" USING btree ("kind","status");--> statement-breakpoint
CREATE INDEX "anomalies_assignee_idx" ON "anomalies" USING btree ("assignee_id") WHERE "anomalies"."assignee_id" is not null;--> statement-breakpoint
CREATE INDEX "anomaly_activity_anomaly_idx" ON "anomaly_activity" USING btree ("anomaly_id","occurred_at");--> statement-breakpoint
CREATE INDEX "anomaly_runs_started_idx" ON "anomaly_runs" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "anomaly_usage_days_day_idx" ON "anomaly_usage_days" USING btree ("day");--> statement-breakpoint
CREATE INDEX "customer_notes_customer_idx" ON "customer_notes" USING btree ("customer_id","created_at");