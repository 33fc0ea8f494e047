CREATE TABLE "credit_burns" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"idempotency_key" text NOT NULL,
	"customer_id" uuid NOT NULL,
	"currency" text NOT NULL,
	"amount_micros" bigint NOT NULL,
	"covered_micros" bigint NOT NULL,
	"product_key" text,
	"meter_key" text,
	"at" timestamp with time zone NOT NULL,
	"allocations" jsonb NOT NULL,
	"ledger_transaction_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credit_burns_amount_check" CHECK ("credit_burns"."amount_micros" > 0 and "credit_burns"."covered_micros" between 0 and "credit_burns"."amount_micros")
);
--> statement-breakpoint
CREATE TABLE "credit_grants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"amount_micros" bigint NOT NULL,
	"currency" text NOT NULL,
	"category" text NOT NULL,
	"applies_to" text DEFAULT 'all' NOT NULL,
	"product_keys" text[] DEFAULT '{}'::text[] NOT NULL,
	"meter_keys" text[] DEFAULT '{}'::text[] NOT NULL,
	"effective_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone,
	"priority" integer DEFAULT 100 NOT NULL,
	"source" text NOT NULL,
	"source_reference" text DEFAULT '' NOT NULL,
	"reason" text DEFAULT '' NOT NULL,
	"idempotency_key" text NOT NULL,
	"ledger_account_id" uuid NOT NULL,
	"ledger_transaction_id" uuid NOT NULL,
	"expired_at" timestamp with time zone,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credit_grants_amount_check" CHECK ("credit_grants"."amount_micros" > 0 and "credit_grants"."amount_micros" <= 1000000000000000),
	CONSTRAINT "credit_grants_currency_check" CHECK ("credit_grants"."currency" ~ '^[a-z]{3}$'),
	CONSTRAINT "credit_grants_window_check" CHECK ("credit_grants"."expires_at" is null or "credit_grants"."expires_at" > "credit_grants"."effective_at"),
	CONSTRAINT "credit_grants_scope_check" CHECK (("credit_grants"."applies_to" = 'all' and cardinality("credit_grants"."product_keys") = 0 and cardinality("credit_grants"."meter_keys") = 0)
       or ("credit_grants"."applies_to" = 'products' and cardinality("credit_grants"."product_keys") > 0 and cardinality("credit_grants"."meter_keys") = 0)
       or ("credit_grants"."applies_to" = 'meters' and cardinality("credit_grants"."meter_keys") > 0 and cardinality("credit_grants"."product_keys") = 0)),
	CONSTRAINT "credit_grants_priority_check" CHECK ("credit_grants"."priority" between 0 and 1000000)
);
--> statement-breakpoint
CREATE TABLE "credit_limits" (
	"role" text PRIMARY KEY NOT NULL,
	"limit_micros" bigint NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credit_limits_limit_check" CHECK ("credit_limits"."limit_micros" >= 0)
);
--> statement-breakpoint
CREATE TABLE "credit_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"request_key" text NOT NULL,
	"customer_id" uuid NOT NULL,
	"amount_micros" bigint NOT NULL,
	"currency" text NOT NULL,
	"reason" text NOT NULL,
	"expires_at" timestamp with time zone,
	"status" text NOT NULL,
	"requested_by" text NOT NULL,
	"requested_by_label" text NOT NULL,
	"requester_role" text NOT NULL,
	"limit_micros" bigint NOT NULL,
	"decided_by" text,
	"decided_by_label" text,
	"decided_at" timestamp with time zone,
	"decision_note" text,
	"grant_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credit_requests_amount_check" CHECK ("credit_requests"."amount_micros" > 0),
	CONSTRAINT "credit_requests_grant_check" CHECK (("credit_requests"."status" in ('issued', 'approved')) = ("credit_requests"."grant_id" is not null)),
	CONSTRAINT "credit_requests_maker_checker" CHECK ("credit_requests"."decided_by" is null or "credit_requests"."decided_by" <> "credit_requests"."requested_by")
);
--> statement-breakpoint
CREATE TABLE "allowance_grants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"feature_key" text NOT NULL,
	"meter_key" text NOT NULL,
	"quantity_per_period" numeric NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"source_redemption_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "allowance_grants_quantity_check" CHECK ("allowance_grants"."quantity_per_period" > 0),
	CONSTRAINT "allowance_grants_window_check" CHECK ("allowance_grants"."ends_at" > "allowance_grants"."starts_at")
);
--> statement-breakpoint
CREATE TABLE "customer_discounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"product_key" text NOT NULL,
	"percent_basis_points" integer,
	"fixed_micros" bigint,
	"currency" text NOT NULL,
	"periods_total" integer NOT NULL,
	"periods_remaining" integer NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"source_redemption_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "customer_discounts_amount_check" CHECK (("customer_discounts"."percent_basis_points" is not null and "customer_discounts"."fixed_micros" is null and "customer_discounts"."percent_basis_points" between 1 and 10000)
       or ("customer_discounts"."fixed_micros" is not null and "customer_discounts"."percent_basis_points" is null and "customer_discounts"."fixed_micros" > 0)),
	CONSTRAINT "customer_discounts_periods_check" CHECK ("customer_discounts"."periods_total" >= 1 and "customer_discounts"."periods_remaining" between 0 and "customer_discounts"."periods_total"),
	CONSTRAINT "customer_discounts_window_check" CHECK ("customer_discounts"."ends_at" > "customer_discounts"."starts_at")
);
--> statement-breakpoint
CREATE TABLE "promotion_codes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"promotion_id" uuid NOT NULL,
	"code" text NOT NULL,
	"kind" text NOT NULL,
	"max_redemptions" integer,
	"redemption_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "promotion_codes_code_check" CHECK ("promotion_codes"."code" ~ '^[A-Z0-9][A-Z0-9_-]{2,39}$'),
	CONSTRAINT "promotion_codes_count_check" CHECK ("promotion_codes"."redemption_count" >= 0 and ("promotion_codes"."max_redemptions" is null or "promotion_codes"."redemption_count" <= "promotion_codes"."max_redemptions"))
);
--> statement-breakpoint
CREATE TABLE "promotion_redemptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"promotion_id" uuid NOT NULL,
	"code_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"customer_sequence" integer NOT NULL,
	"idempotency_key" text,
	"effect" jsonb NOT NULL,
	"grant_id" uuid,
	"redeemed_at" timestamp with time zone NOT NULL,
	"redeemed_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "promotion_redemptions_customer_sequence_key" UNIQUE("promotion_id","customer_id","customer_sequence"),
	CONSTRAINT "promotion_redemptions_sequence_check" CHECK ("promotion_redemptions"."customer_sequence" >= 1)
);
--> statement-breakpoint
CREATE TABLE "promotions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone,
	"eligibility" jsonb NOT NULL,
	"effect" jsonb NOT NULL,
	"max_redemptions" integer,
	"max_redemptions_per_customer" integer DEFAULT 1 NOT NULL,
	"redemption_count" integer DEFAULT 0 NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "promotions_window_check" CHECK ("promotions"."ends_at" is null or "promotions"."ends_at" > "promotions"."starts_at"),
	CONSTRAINT "promotions_limits_check" CHECK (("promotions"."max_redemptions" is null or "promotions"."max_redemptions" >= 1) and "promotions"."max_redemptions_per_customer" between 1 and 1000),
	CONSTRAINT "promotions_count_check" CHECK ("promotions"."redemption_count" >= 0 and ("promotions"."max_redemptions" is null or "promotions"."redemption_count" <= "promotions"."max_redemptions"))
);
--> statement-breakpoint
ALTER TABLE "credit_burns" ADD CONSTRAINT "credit_burns_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_grants" ADD CONSTRAINT "credit_grants_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_requests" ADD CONSTRAINT "credit_requests_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_requests" ADD CONSTRAINT "credit_requests_grant_id_credit_grants_id_fk" FOREIGN KEY ("grant_id") REFERENCES "public"."credit_grants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "allowance_grants" ADD CONSTRAINT "allowance_grants_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "allowance_grants" ADD CONSTRAINT "allowance_grants_source_redemption_id_promotion_redemptions_id_fk" FOREIGN KEY ("source_redemption_id") REFERENCES "public"."promotion_redemptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_discounts" ADD CONSTRAINT "customer_discounts_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_discounts" ADD CONSTRAINT "customer_discounts_source_redemption_id_promotion_redemptions_id_fk" FOREIGN KEY ("source_redemption_id") REFERENCES "public"."promotion_redemptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "promotion_codes" ADD CONSTRAINT "promotion_codes_promotion_id_promotions_id_fk" FOREIGN KEY ("promotion_id") REFERENCES "public"."promotions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "promotion_redemptions" ADD CONSTRAINT "promotion_redemptions_promotion_id_promotions_id_fk" FOREIGN KEY ("promotion_id") REFERENCES "public"."promotions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "promotion_redemptions" ADD CONSTRAINT "promotion_redemptions_code_id_promotion_codes_id_fk" FOREIGN KEY ("code_id") REFERENCES "public"."promotion_codes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "promotion_redemptions" ADD CONSTRAINT "promotion_redemptions_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "promotion_redemptions" ADD CONSTRAINT "promotion_redemptions_grant_id_credit_grants_id_fk" FOREIGN KEY ("grant_id") REFERENCES "public"."credit_grants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "credit_burns_idempotency_key_idx" ON "credit_burns" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "credit_burns_customer_idx" ON "credit_burns" USING btree ("customer_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "credit_grants_idempotency_key_idx" ON "credit_grants" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "credit_grants_customer_idx" ON "credit_grants" USING btree ("customer_id","currency");--> statement-breakpoint
CREATE INDEX "credit_grants_expiry_idx" ON "credit_grants" USING btree ("expires_at") WHERE "credit_grants"."expired_at" is null and "credit_grants"."expires_at" is not null;--> statement-breakpoint
CREATE INDEX "credit_grants_source_idx" ON "credit_grants" USING btree ("source","source_reference");--> statement-breakpoint
CREATE UNIQUE INDEX "credit_requests_request_key_idx" ON "credit_requests" USING btree ("request_key");--> statement-breakpoint
CREATE INDEX "credit_requests_pending_idx" ON "credit_requests" USING btree ("created_at") WHERE "credit_requests"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "credit_requests_customer_idx" ON "credit_requests" USING btree ("customer_id","created_at");--> statement-breakpoint
CREATE INDEX "allowance_grants_customer_idx" ON "allowance_grants" USING btree ("customer_id","ends_at");--> statement-breakpoint
CREATE INDEX "customer_discounts_customer_idx" ON "customer_discounts" USING btree ("customer_id","ends_at");--> statement-breakpoint
CREATE UNIQUE INDEX "promotion_codes_code_idx" ON "promotion_codes" USING btree ("code");--> statement-breakpoint
CREATE INDEX "promotion_codes_promotion_idx" ON "promotion_codes" USING btree ("promotion_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "promotion_redemptions_idempotency_key_idx" ON "promotion_redemptions" USING btree ("idempotency_key") WHERE "promotion_redemptions"."idempotency_key" is not null;--> statement-breakpoint
CREATE INDEX "promotion_redemptions_promotion_idx" ON "promotion_redemptions" USING btree ("promotion_id","redeemed_at");--> statement-breakpoint
CREATE INDEX "promotion_redemptions_customer_idx" ON "promotion_redemptions" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "promotions_created_idx" ON "promotions" USING btree ("created_at","id");