CREATE TABLE "catalog_features" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"product_id" uuid,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "catalog_features_key_unique" UNIQUE("key")
);
--> statement-breakpoint
CREATE TABLE "catalog_meters" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"product_id" uuid,
	"event_type" text NOT NULL,
	"aggregation" text NOT NULL,
	"value_path" text,
	"filters" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"group_by" text[] DEFAULT '{}'::text[] NOT NULL,
	"unit" text DEFAULT 'unit' NOT NULL,
	"stripe_meter_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "catalog_meters_key_unique" UNIQUE("key"),
	CONSTRAINT "catalog_meters_value_path" CHECK ("catalog_meters"."aggregation" = 'count' or "catalog_meters"."value_path" is not null)
);
--> statement-breakpoint
CREATE TABLE "catalog_plan_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"plan_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"currency" text NOT NULL,
	"billing_interval" text NOT NULL,
	"base_fee_per_seat_micros" bigint DEFAULT 0 NOT NULL,
	"trial_days" integer DEFAULT 0 NOT NULL,
	"entitlements" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"usage_prices" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"stripe_price_id" text,
	"stripe_usage_price_ids" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone,
	"archived_at" timestamp with time zone,
	CONSTRAINT "catalog_plan_versions_base_fee" CHECK ("catalog_plan_versions"."base_fee_per_seat_micros" >= 0),
	CONSTRAINT "catalog_plan_versions_trial_days" CHECK ("catalog_plan_versions"."trial_days" between 0 and 365),
	CONSTRAINT "catalog_plan_versions_currency" CHECK ("catalog_plan_versions"."currency" ~ '^[a-z]{3}$'),
	CONSTRAINT "catalog_plan_versions_version" CHECK ("catalog_plan_versions"."version" >= 1),
	CONSTRAINT "catalog_plan_versions_published_at" CHECK ("catalog_plan_versions"."status" = 'draft' or "catalog_plan_versions"."published_at" is not null),
	CONSTRAINT "catalog_plan_versions_archived_at" CHECK ("catalog_plan_versions"."status" <> 'archived' or "catalog_plan_versions"."archived_at" is not null)
);
--> statement-breakpoint
CREATE TABLE "catalog_plans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"stripe_product_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "catalog_plans_key_unique" UNIQUE("key")
);
--> statement-breakpoint
CREATE TABLE "catalog_products" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"stripe_product_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "catalog_products_key_unique" UNIQUE("key")
);
--> statement-breakpoint
ALTER TABLE "catalog_features" ADD CONSTRAINT "catalog_features_product_id_catalog_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."catalog_products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalog_meters" ADD CONSTRAINT "catalog_meters_product_id_catalog_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."catalog_products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalog_plan_versions" ADD CONSTRAINT "catalog_plan_versions_plan_id_catalog_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."catalog_plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "catalog_meters_event_type_idx" ON "catalog_meters" USING btree ("event_type");--> statement-breakpoint
CREATE UNIQUE INDEX "catalog_plan_versions_plan_version_key" ON "catalog_plan_versions" USING btree ("plan_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "catalog_plan_versions_one_draft_key" ON "catalog_plan_versions" USING btree ("plan_id") WHERE "catalog_plan_versions"."status" = 'draft';