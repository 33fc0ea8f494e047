CREATE TABLE "stripe_balance_transactions" (
	"stripe_id" text PRIMARY KEY NOT NULL,
	"payout_id" text,
	"type" text NOT NULL,
	"reporting_category" text NOT NULL,
	"source_id" text,
	"amount" bigint NOT NULL,
	"fee" bigint NOT NULL,
	"net" bigint NOT NULL,
	"currency" text NOT NULL,
	"status" text NOT NULL,
	"available_on" timestamp with time zone NOT NULL,
	"stripe_created" timestamp with time zone NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stripe_balance_transactions_net" CHECK ("stripe_balance_transactions"."net" = "stripe_balance_transactions"."amount" - "stripe_balance_transactions"."fee")
);
--> statement-breakpoint
CREATE TABLE "stripe_payouts" (
	"stripe_id" text PRIMARY KEY NOT NULL,
	"livemode" boolean DEFAULT false NOT NULL,
	"stripe_created" timestamp with time zone NOT NULL,
	"last_event_created" timestamp with time zone,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"status" text NOT NULL,
	"arrival_date" timestamp with time zone NOT NULL,
	"automatic" boolean NOT NULL,
	"method" text NOT NULL,
	"failure_code" text,
	"failure_message" text,
	"gross" bigint NOT NULL,
	"fee" bigint NOT NULL,
	"payment_count" integer NOT NULL,
	"refund_count" integer NOT NULL,
	CONSTRAINT "stripe_payouts_id" CHECK ("stripe_payouts"."stripe_id" like 'po_%'),
	CONSTRAINT "stripe_payouts_counts" CHECK ("stripe_payouts"."payment_count" >= 0 and "stripe_payouts"."refund_count" >= 0)
);
--> statement-breakpoint
CREATE INDEX "stripe_balance_transactions_payout_idx" ON "stripe_balance_transactions" USING btree ("payout_id");--> statement-breakpoint
CREATE INDEX "stripe_balance_transactions_source_idx" ON "stripe_balance_transactions" USING btree ("source_id");--> statement-breakpoint
CREATE INDEX "stripe_payouts_arrival_idx" ON "stripe_payouts" USING btree ("arrival_date","stripe_id");