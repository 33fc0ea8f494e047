CREATE INDEX "customer_summaries_status_plan_idx" ON "customer_summaries" USING btree ("status","plan_name","customer_id");--> statement-breakpoint
CREATE INDEX "customer_summaries_plan_plan_idx" ON "customer_summaries" USING btree ("plan_key","plan_name","customer_id");--> statement-breakpoint
CREATE INDEX "customer_summaries_plan_balance_idx" ON "customer_summaries" USING btree ("plan_key","balance_due_micros","customer_id");--> statement-breakpoint
CREATE INDEX "customer_summaries_plan_spend_idx" ON "customer_summaries" USING btree ("plan_key","month_spend_micros","customer_id");--> statement-breakpoint
CREATE INDEX "customer_summaries_kind_plan_idx" ON "customer_summaries" USING btree ("kind","plan_name","customer_id");