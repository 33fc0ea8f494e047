CREATE TABLE "metering_unknown_subjects" (
	"subject" text PRIMARY KEY NOT NULL,
	"events" bigint NOT NULL,
	"first_occurred_at" timestamp with time zone NOT NULL,
	"last_occurred_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
DROP INDEX "stripe_charges_customer_idx";--> statement-breakpoint
CREATE INDEX "metering_unknown_subjects_events_idx" ON "metering_unknown_subjects" USING btree ("events","subject");--> statement-breakpoint
CREATE INDEX "metering_unknown_subjects_first_idx" ON "metering_unknown_subjects" USING btree ("first_occurred_at","subject");--> statement-breakpoint
CREATE INDEX "metering_unknown_subjects_last_idx" ON "metering_unknown_subjects" USING btree ("last_occurred_at","subject");--> statement-breakpoint
CREATE INDEX "catalog_plans_name_idx" ON "catalog_plans" USING btree ("name","id");--> statement-breakpoint
CREATE INDEX "catalog_plans_created_idx" ON "catalog_plans" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "stripe_charges_customer_created_idx" ON "stripe_charges" USING btree ("customer_id","stripe_created","stripe_id");--> statement-breakpoint
CREATE INDEX "stripe_charges_customer_amount_idx" ON "stripe_charges" USING btree ("customer_id","amount","stripe_id");--> statement-breakpoint
-- The events already rolled up without a customer, once; from here on the rollup claim counts the rest (those past its cursor).
INSERT INTO "metering_unknown_subjects" ("subject", "events", "first_occurred_at", "last_occurred_at")
SELECT e."subject", count(*), min(e."occurred_at"), max(e."occurred_at") FROM "usage_events" e
JOIN "metering_cursors" c ON c."name" = 'rollup' AND (e."txid", e."seq") <= (c."last_txid", c."last_seq")
WHERE e."customer_id" IS NULL GROUP BY e."subject";
