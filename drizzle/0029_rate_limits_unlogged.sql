-- Rate limits are rewritten on every limited request: no WAL for them (a crash resets the
-- limits, which is acceptable), and room on each page for HOT updates of the one column.
ALTER TABLE "rate_limits" SET UNLOGGED;--> statement-breakpoint
ALTER TABLE "rate_limits" SET (fillfactor = 50);
