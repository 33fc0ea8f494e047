CREATE TABLE "invoice_discrepancies" (
	"invoice_id" uuid NOT NULL,
	"field" text NOT NULL,
	"stripe_invoice_id" text NOT NULL,
	"description" text NOT NULL,
	"tally_value" bigint,
	"stripe_value" bigint,
	"detected_at" timestamp with time zone NOT NULL,
	CONSTRAINT "invoice_discrepancies_invoice_id_field_pk" PRIMARY KEY("invoice_id","field"),
	CONSTRAINT "invoice_discrepancies_values" CHECK ("invoice_discrepancies"."tally_value" is not null or "invoice_discrepancies"."stripe_value" is not null)
);
--> statement-breakpoint
CREATE TABLE "stripe_invoice_checks" (
	"invoice_id" uuid PRIMARY KEY NOT NULL,
	"stripe_invoice_id" text NOT NULL,
	"stripe_status" text NOT NULL,
	"stripe_total" bigint NOT NULL,
	"discrepancies" bigint NOT NULL,
	"checked_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stripe_invoice_item_links" (
	"invoice_line_id" uuid PRIMARY KEY NOT NULL,
	"invoice_id" uuid NOT NULL,
	"stripe_invoice_item_id" text NOT NULL,
	"stripe_invoice_id" text,
	"amount" bigint NOT NULL,
	"pushed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stripe_meter_event_sends" (
	"identifier" text PRIMARY KEY NOT NULL,
	"invoice_id" uuid NOT NULL,
	"subscription_id" uuid NOT NULL,
	"meter_key" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"value" numeric NOT NULL,
	"sent_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "invoice_discrepancies" ADD CONSTRAINT "invoice_discrepancies_invoice_id_invoices_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stripe_invoice_checks" ADD CONSTRAINT "stripe_invoice_checks_invoice_id_invoices_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stripe_invoice_item_links" ADD CONSTRAINT "stripe_invoice_item_links_invoice_line_id_invoice_lines_id_fk" FOREIGN KEY ("invoice_line_id") REFERENCES "public"."invoice_lines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stripe_invoice_item_links" ADD CONSTRAINT "stripe_invoice_item_links_invoice_id_invoices_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stripe_meter_event_sends" ADD CONSTRAINT "stripe_meter_event_sends_invoice_id_invoices_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stripe_meter_event_sends" ADD CONSTRAINT "stripe_meter_event_sends_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stripe_invoice_item_links_invoice_idx" ON "stripe_invoice_item_links" USING btree ("invoice_id");--> statement-breakpoint
CREATE INDEX "stripe_meter_event_sends_invoice_idx" ON "stripe_meter_event_sends" USING btree ("invoice_id");