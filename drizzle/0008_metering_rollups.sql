CREATE TABLE "metering_meter_backfills" (
	"meter_id" uuid PRIMARY KEY NOT NULL,
	"backfilled_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "usage_rollup_values" (
	"meter_id" uuid NOT NULL,
	"subject" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"dimensions" jsonb NOT NULL,
	"value" text NOT NULL,
	CONSTRAINT "usage_rollup_values_meter_id_subject_window_start_dimensions_value_pk" PRIMARY KEY("meter_id","subject","window_start","dimensions","value")
);
--> statement-breakpoint
CREATE TABLE "usage_rollups" (
	"meter_id" uuid NOT NULL,
	"subject" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"dimensions" jsonb NOT NULL,
	"events" bigint NOT NULL,
	"sum_value" numeric,
	"max_value" numeric,
	"latest_value" numeric,
	"latest_at" timestamp with time zone,
	"latest_seq" bigint,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_rollups_meter_id_subject_window_start_dimensions_pk" PRIMARY KEY("meter_id","subject","window_start","dimensions")
);
--> statement-breakpoint
ALTER TABLE "metering_meter_backfills" ADD CONSTRAINT "metering_meter_backfills_meter_id_catalog_meters_id_fk" FOREIGN KEY ("meter_id") REFERENCES "public"."catalog_meters"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_rollup_values" ADD CONSTRAINT "usage_rollup_values_meter_id_catalog_meters_id_fk" FOREIGN KEY ("meter_id") REFERENCES "public"."catalog_meters"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_rollups" ADD CONSTRAINT "usage_rollups_meter_id_catalog_meters_id_fk" FOREIGN KEY ("meter_id") REFERENCES "public"."catalog_meters"("id") ON DELETE no action ON UPDATE no action;