CREATE TABLE "entitlement_reservations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"feature_key" text NOT NULL,
	"meter_key" text NOT NULL,
	"quantity" numeric NOT NULL,
	"amount_micros" bigint DEFAULT 0 NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"consumed_quantity" numeric,
	"consumed_by_event" text,
	"settled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "entitlement_reservations_quantity" CHECK ("entitlement_reservations"."quantity" > 0),
	CONSTRAINT "entitlement_reservations_amount" CHECK ("entitlement_reservations"."amount_micros" >= 0),
	CONSTRAINT "entitlement_reservations_settled" CHECK (("entitlement_reservations"."status" = 'pending') = ("entitlement_reservations"."settled_at" is null))
);
--> statement-breakpoint
CREATE TABLE "entitlement_restrictions" (
	"customer_id" uuid PRIMARY KEY NOT NULL,
	"scope" text NOT NULL,
	"reason" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid,
	"kind" text NOT NULL,
	"payload" jsonb NOT NULL,
	"dedupe_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "entitlement_reservations" ADD CONSTRAINT "entitlement_reservations_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entitlement_restrictions" ADD CONSTRAINT "entitlement_restrictions_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "entitlement_reservations_pending_idx" ON "entitlement_reservations" USING btree ("customer_id","feature_key") WHERE "entitlement_reservations"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "entitlement_reservations_expiry_idx" ON "entitlement_reservations" USING btree ("expires_at") WHERE "entitlement_reservations"."status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "notifications_dedupe_key" ON "notifications" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "notifications_unsent_idx" ON "notifications" USING btree ("created_at") WHERE "notifications"."sent_at" is null;--> statement-breakpoint
CREATE INDEX "notifications_customer_idx" ON "notifications" USING btree ("customer_id","created_at");