DROP INDEX "stripe_webhook_events_status_idx";--> statement-breakpoint
DROP INDEX "webhook_deliveries_endpoint_idx";--> statement-breakpoint
CREATE INDEX "stripe_webhook_events_received_sort_idx" ON "stripe_webhook_events" USING btree ("received_at","id");--> statement-breakpoint
CREATE INDEX "stripe_webhook_events_created_sort_idx" ON "stripe_webhook_events" USING btree ("created","id");--> statement-breakpoint
CREATE INDEX "stripe_webhook_events_status_sort_idx" ON "stripe_webhook_events" USING btree ("status","received_at","id");--> statement-breakpoint
CREATE INDEX "stripe_webhook_events_type_sort_idx" ON "stripe_webhook_events" USING btree ("type","received_at","id");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_endpoint_created_sort_idx" ON "webhook_deliveries" USING btree ("endpoint_id","created_at","id");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_endpoint_attempts_sort_idx" ON "webhook_deliveries" USING btree ("endpoint_id","attempts","id");