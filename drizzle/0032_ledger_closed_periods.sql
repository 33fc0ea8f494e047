-- Closed accounting periods, held by the database itself.
--
-- Closed months are a prefix of time (a month closes only after the one before it, and only the
-- latest closed month may be reopened), so "closed through" is one instant: the end of the latest
-- closed month. No ledger transaction or entry may take effect before it. The poster moves a
-- posting dated in a closed month into the next open period before it writes (with a reference to
-- the date it corrects); these triggers are the guarantee behind that, for every writer.
--
-- Race with a close: every statement that inserts ledger rows takes a shared advisory lock before
-- it reads the watermark, and the close takes the same lock exclusively before it computes its
-- snapshots. So the close waits for postings in flight to commit (and includes them), and a
-- posting that starts meanwhile waits for the close and then sees the month closed.
CREATE OR REPLACE FUNCTION ledger_closed_through() RETURNS timestamptz LANGUAGE sql STABLE AS $$
  SELECT max(period_end) FROM accounting_periods WHERE status = 'closed'
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION ledger_refuse_closed_period() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  earliest timestamptz;
  through timestamptz;
BEGIN
  SELECT min(effective_at) INTO earliest FROM new_rows;
  IF earliest IS NULL THEN
    RETURN NULL;
  END IF;
  PERFORM pg_advisory_xact_lock_shared(7411014);
  through := ledger_closed_through();
  IF through IS NOT NULL AND earliest < through THEN
    RAISE EXCEPTION 'ledger: the accounting period of % is closed (closed through %); post the correction into the next open period',
        to_char(earliest AT TIME ZONE 'UTC', 'YYYY-MM'), to_char(through AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
      USING ERRCODE = 'LG002',
            HINT = 'Transactions dated in a closed month are moved to the first instant of the next open period by the ledger poster.';
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER ledger_transactions_closed_period AFTER INSERT ON ledger_transactions
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_closed_period();
--> statement-breakpoint
CREATE TRIGGER ledger_entries_closed_period AFTER INSERT ON ledger_entries
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_closed_period();
--> statement-breakpoint
-- A transaction's effective time never changes (ledger_guard_transaction_update already refuses
-- it); periods are never deleted, only reopened.
CREATE TRIGGER accounting_periods_no_delete BEFORE DELETE ON accounting_periods
  FOR EACH ROW EXECUTE FUNCTION tally_refuse_change();
--> statement-breakpoint
CREATE TRIGGER accounting_periods_no_truncate BEFORE TRUNCATE ON accounting_periods
  FOR EACH STATEMENT EXECUTE FUNCTION tally_refuse_change();
--> statement-breakpoint
-- Snapshots of a closed month never change; they are removed only when the month is reopened.
CREATE OR REPLACE FUNCTION ledger_guard_period_snapshot() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    RAISE EXCEPTION 'ledger period snapshots are never updated' USING ERRCODE = 'restrict_violation';
  END IF;
  IF EXISTS (SELECT 1 FROM accounting_periods WHERE period_start = OLD.period_start AND status = 'closed') THEN
    RAISE EXCEPTION 'the snapshot of a closed accounting period is removed only by reopening the period' USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN OLD;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER ledger_period_balances_guard BEFORE UPDATE OR DELETE ON ledger_period_balances
  FOR EACH ROW EXECUTE FUNCTION ledger_guard_period_snapshot();
--> statement-breakpoint
CREATE TRIGGER ledger_period_activity_guard BEFORE UPDATE OR DELETE ON ledger_period_activity
  FOR EACH ROW EXECUTE FUNCTION ledger_guard_period_snapshot();
--> statement-breakpoint
CREATE TRIGGER ledger_period_open_items_guard BEFORE UPDATE OR DELETE ON ledger_period_open_items
  FOR EACH ROW EXECUTE FUNCTION ledger_guard_period_snapshot();
--> statement-breakpoint
-- The adjustments report reads the rare correcting kinds by date without scanning the journal.
CREATE INDEX ledger_transactions_adjustments_idx ON ledger_transactions (effective_at)
  WHERE kind IN ('reversal', 'write_off', 'adjustment', 'refund');
