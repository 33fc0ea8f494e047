DROP INDEX "audit_log_actor_idx";--> statement-breakpoint
DROP INDEX "audit_log_action_idx";--> statement-breakpoint
CREATE INDEX "audit_log_actor_id_idx" ON "audit_log" USING btree ("actor_id","id");--> statement-breakpoint
CREATE INDEX "audit_log_action_id_idx" ON "audit_log" USING btree ("action","id");--> statement-breakpoint
CREATE INDEX "audit_log_object_type_id_idx" ON "audit_log" USING btree ("object_type","id");--> statement-breakpoint
CREATE INDEX "audit_log_actor_type_id_idx" ON "audit_log" USING btree ("actor_type","id");--> statement-breakpoint
CREATE INDEX "invoices_number_sort_idx" ON "invoices" USING btree (coalesce("number", ''),"id");--> statement-breakpoint
CREATE INDEX "invoices_total_idx" ON "invoices" USING btree ("total_micros","id");--> statement-breakpoint
CREATE INDEX "invoices_period_idx" ON "invoices" USING btree ("period_start","id");--> statement-breakpoint
CREATE INDEX "invoices_status_idx" ON "invoices" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "invoices_status_issued_idx" ON "invoices" USING btree ("status","issued_at","id");--> statement-breakpoint
CREATE INDEX "invoices_status_total_idx" ON "invoices" USING btree ("status","total_micros","id");--> statement-breakpoint
CREATE INDEX "invoices_status_period_idx" ON "invoices" USING btree ("status","period_start","id");--> statement-breakpoint
CREATE INDEX "invoices_status_number_idx" ON "invoices" USING btree ("status",coalesce("number", ''),"id");--> statement-breakpoint
CREATE INDEX "invoices_kind_issued_idx" ON "invoices" USING btree ("kind","issued_at","id");