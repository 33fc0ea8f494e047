DROP INDEX "stripe_sync_failures_occurred_idx";--> statement-breakpoint
CREATE INDEX "stripe_sync_failures_operation_idx" ON "stripe_sync_failures" USING btree ("operation","occurred_at","id");--> statement-breakpoint
CREATE INDEX "stripe_sync_failures_occurred_idx" ON "stripe_sync_failures" USING btree ("occurred_at","id");