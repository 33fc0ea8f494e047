CREATE INDEX "promotions_name_idx" ON "promotions" USING btree (lower("name"),"id");--> statement-breakpoint
CREATE INDEX "promotions_starts_idx" ON "promotions" USING btree ("starts_at","id");--> statement-breakpoint
CREATE INDEX "promotions_redemptions_idx" ON "promotions" USING btree ("redemption_count","id");