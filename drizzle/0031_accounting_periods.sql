CREATE TABLE "accounting_periods" (
	"period_start" timestamp with time zone PRIMARY KEY NOT NULL,
	"period_end" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"closed_at" timestamp with time zone NOT NULL,
	"closed_by" text NOT NULL,
	"closed_by_label" text NOT NULL,
	"reopened_at" timestamp with time zone,
	"reopened_by" text,
	"reopened_by_label" text,
	"reopen_reason" text,
	"close_count" integer DEFAULT 1 NOT NULL,
	"summary" jsonb NOT NULL,
	CONSTRAINT "accounting_periods_month_check" CHECK ("accounting_periods"."period_start" = date_trunc('month', "accounting_periods"."period_start" at time zone 'UTC') at time zone 'UTC'
      and "accounting_periods"."period_end" = ("accounting_periods"."period_start" at time zone 'UTC' + interval '1 month') at time zone 'UTC'),
	CONSTRAINT "accounting_periods_reopen_check" CHECK ("accounting_periods"."status" = 'closed' or ("accounting_periods"."reopened_at" is not null and "accounting_periods"."reopen_reason" is not null))
);
--> statement-breakpoint
CREATE TABLE "ledger_period_activity" (
	"period_start" timestamp with time zone NOT NULL,
	"account_id" uuid NOT NULL,
	"currency" text NOT NULL,
	"kind" text NOT NULL,
	"plan_key" text NOT NULL,
	"revenue_class" text NOT NULL,
	"debits" bigint NOT NULL,
	"credits" bigint NOT NULL,
	CONSTRAINT "ledger_period_activity_period_start_account_id_kind_plan_key_revenue_class_pk" PRIMARY KEY("period_start","account_id","kind","plan_key","revenue_class")
);
--> statement-breakpoint
CREATE TABLE "ledger_period_balances" (
	"period_start" timestamp with time zone NOT NULL,
	"account_id" uuid NOT NULL,
	"currency" text NOT NULL,
	"posted_debits" bigint NOT NULL,
	"posted_credits" bigint NOT NULL,
	"period_debits" bigint NOT NULL,
	"period_credits" bigint NOT NULL,
	CONSTRAINT "ledger_period_balances_period_start_account_id_pk" PRIMARY KEY("period_start","account_id")
);
--> statement-breakpoint
CREATE TABLE "ledger_period_open_items" (
	"period_start" timestamp with time zone NOT NULL,
	"account_id" uuid NOT NULL,
	"item_key" text NOT NULL,
	"amount" bigint NOT NULL,
	"dated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "ledger_period_open_items_period_start_account_id_item_key_pk" PRIMARY KEY("period_start","account_id","item_key")
);
--> statement-breakpoint
CREATE INDEX "ledger_period_balances_account_idx" ON "ledger_period_balances" USING btree ("account_id","period_start");