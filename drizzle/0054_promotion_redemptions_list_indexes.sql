DROP INDEX "promotion_redemptions_promotion_idx";--> statement-breakpoint
CREATE INDEX "promotion_redemptions_promotion_by_idx" ON "promotion_redemptions" USING btree ("promotion_id",lower("redeemed_by"),"id");--> statement-breakpoint
CREATE INDEX "promotion_redemptions_promotion_idx" ON "promotion_redemptions" USING btree ("promotion_id","redeemed_at","id");