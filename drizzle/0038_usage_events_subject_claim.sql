-- A customer's events the rollup worker has not claimed yet: the entitlement check adds them to the
-- rollups on every check. (subject, txid, seq) makes that an index range of only those events
-- (subject = $1 and (txid, seq) > cursor), a few rows whatever the month's partition holds; without
-- it the check read every event of the customer's period (or scanned the partition), so checks got
-- slower as the month filled up. Created on the partitioned table: every monthly partition has its own.
CREATE INDEX IF NOT EXISTS "usage_events_subject_claim_idx" ON "usage_events" USING btree ("subject", "txid", "seq");
