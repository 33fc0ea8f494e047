-- Raw usage events: append-only, partitioned by month on occurred_at (when the usage happened).
-- Why occurred_at: rollups, verification and period queries all select by event time, and the
-- lateness window (35 days) means writes touch at most the current and previous month, so older
-- partitions become read-only and can be detached or archived whole.
-- Dedup across partitions is kept by usage_event_keys (unpartitioned, primary key (source, event_id)),
-- written in the same statement as the event. (txid, seq) orders events for rollup claiming:
-- rows whose txid is older than every running transaction can no longer be joined by an earlier one.
-- There is deliberately no foreign key to customers: the customer is resolved in the insert itself,
-- and events for unknown customers are kept with customer_id null.
-- Indexes are kept to what ingestion, claiming and support need (each one costs every insert):
-- (txid, seq) for claiming, BRIN on occurred_at for time ranges (verification, a customer's recent
-- events), and a partial index on the few events of unknown customers. Usage per customer is read
-- from the rollups, not from raw events.
CREATE TABLE "usage_events" (
	"seq" bigserial NOT NULL,
	"txid" xid8 DEFAULT pg_current_xact_id() NOT NULL,
	"source" text NOT NULL,
	"event_id" text NOT NULL,
	"type" text NOT NULL,
	"subject" text NOT NULL,
	"customer_id" uuid,
	"occurred_at" timestamp with time zone NOT NULL,
	"ingested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"data" jsonb NOT NULL,
	"late" boolean DEFAULT false NOT NULL
) PARTITION BY RANGE ("occurred_at");
--> statement-breakpoint
CREATE INDEX "usage_events_claim_idx" ON "usage_events" USING btree ("txid", "seq");
--> statement-breakpoint
CREATE INDEX "usage_events_occurred_brin" ON "usage_events" USING brin ("occurred_at");
--> statement-breakpoint
CREATE INDEX "usage_events_unknown_customer_idx" ON "usage_events" USING btree ("subject") WHERE "customer_id" IS NULL;
--> statement-breakpoint
-- Safety net so an insert never fails for want of a partition; tally_ensure_usage_event_partitions
-- moves any rows it holds into the monthly partition when that is created.
CREATE TABLE "usage_events_default" PARTITION OF "usage_events" DEFAULT;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION tally_ensure_usage_event_partitions(p_from timestamptz, p_months integer)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  month_start timestamptz;
  month_end timestamptz;
  partition_name text;
  created integer := 0;
BEGIN
  IF p_months < 1 OR p_months > 120 THEN
    RAISE EXCEPTION 'p_months must be between 1 and 120, got %', p_months;
  END IF;
  FOR i IN 0 .. p_months - 1 LOOP
    month_start := date_trunc('month', p_from AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + make_interval(months => i);
    month_end := month_start + interval '1 month';
    partition_name := 'usage_events_' || to_char(month_start AT TIME ZONE 'UTC', '"y"YYYY"m"MM');
    CONTINUE WHEN to_regclass(partition_name) IS NOT NULL;
    EXECUTE format('CREATE TABLE %I (LIKE usage_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', partition_name);
    EXECUTE format(
      'WITH moved AS (DELETE FROM usage_events_default WHERE occurred_at >= $1 AND occurred_at < $2 RETURNING *)
       INSERT INTO %I SELECT * FROM moved', partition_name) USING month_start, month_end;
    EXECUTE format('ALTER TABLE usage_events ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
      partition_name, month_start, month_end);
    created := created + 1;
  END LOOP;
  RETURN created;
END;
$$;
--> statement-breakpoint
SELECT tally_ensure_usage_event_partitions(now() - interval '2 months', 6);
--> statement-breakpoint
-- Adds two {code: count} maps, for the per-minute reject counters.
CREATE OR REPLACE FUNCTION tally_jsonb_sum(a jsonb, b jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(jsonb_object_agg(key, total), '{}'::jsonb)
  FROM (
    SELECT key, sum(value::numeric) AS total
    FROM (SELECT * FROM jsonb_each_text(coalesce(a, '{}'::jsonb)) UNION ALL SELECT * FROM jsonb_each_text(coalesce(b, '{}'::jsonb))) pairs
    GROUP BY key
  ) totals
$$;
