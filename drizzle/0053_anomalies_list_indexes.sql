CREATE INDEX "anomalies_active_impact_idx" ON "anomalies" USING btree (coalesce("impact_micros", '-9223372036854775808'::bigint),"id") WHERE "anomalies"."status" in ('open', 'acknowledged');--> statement-breakpoint
CREATE INDEX "anomalies_active_detected_idx" ON "anomalies" USING btree ("first_detected_at","id") WHERE "anomalies"."status" in ('open', 'acknowledged');--> statement-breakpoint
CREATE INDEX "anomalies_status_impact_idx" ON "anomalies" USING btree ("status",coalesce("impact_micros", '-9223372036854775808'::bigint),"id");--> statement-breakpoint
CREATE INDEX "anomalies_status_detected_idx" ON "anomalies" USING btree ("status","first_detected_at","id");--> statement-breakpoint
CREATE INDEX "anomalies_impact_idx" ON "anomalies" USING btree (coalesce("impact_micros", '-9223372036854775808'::bigint),"id");--> statement-breakpoint
CREATE INDEX "anomalies_detected_idx" ON "anomalies" USING btree ("first_detected_at","id");