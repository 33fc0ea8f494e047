DROP INDEX "stripe_webhook_events_customer_idx";--> statement-breakpoint
CREATE INDEX "stripe_customers_customer_idx" ON "stripe_customers" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "stripe_webhook_events_customer_received_idx" ON "stripe_webhook_events" USING btree ("stripe_customer_id","received_at","id");--> statement-breakpoint
CREATE INDEX "stripe_webhook_events_customer_created_idx" ON "stripe_webhook_events" USING btree ("stripe_customer_id","created","id");--> statement-breakpoint
CREATE INDEX "api_request_log_customer_duration_idx" ON "api_request_log" USING btree ("customer_id","duration_ms","id");