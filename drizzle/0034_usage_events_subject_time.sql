-- Raw events of one subject (a customer's external id, or an unknown subject) over a time range:
-- what the invoice line explainer pages through ("the events behind this line") and what the
-- usage-drop evidence shows ("events now arrive under subject X"). Created on the partitioned table,
-- so every monthly partition has its own index and a period's query touches only the partitions of
-- its months (partition pruning on occurred_at), then one index range per partition. It costs each
-- insert one more btree entry; usage per customer is still read from rollups, never from here.
CREATE INDEX IF NOT EXISTS "usage_events_subject_time_idx" ON "usage_events" USING btree ("subject", "occurred_at");
--> statement-breakpoint
-- The anomaly job refreshes its daily usage from the last days of hourly rollups: a BRIN range on
-- window_start finds them without reading the table (rollup rows are written in roughly time order),
-- at almost no cost to the rollup worker (window_start never changes, so its updates stay HOT).
CREATE INDEX IF NOT EXISTS "usage_rollups_window_brin" ON "usage_rollups" USING brin ("window_start");
