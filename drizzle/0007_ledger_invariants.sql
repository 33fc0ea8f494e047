-- Ledger invariants held by the database itself (the posting code asserts the same things).
-- Closed vocabularies.
ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_kind_check
  CHECK (kind IN ('asset', 'liability', 'revenue', 'expense', 'equity'));
--> statement-breakpoint
ALTER TABLE ledger_transactions ADD CONSTRAINT ledger_transactions_status_check
  CHECK (status IN ('pending', 'posted', 'voided', 'expired'));
--> statement-breakpoint
ALTER TABLE ledger_transactions ADD CONSTRAINT ledger_transactions_resolution_check
  CHECK ((status <> 'pending' OR resolved_at IS NULL) AND (status NOT IN ('voided', 'expired') OR resolved_at IS NOT NULL));
--> statement-breakpoint
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_phase_check
  CHECK (phase IN ('posted', 'pending', 'release'));
--> statement-breakpoint
ALTER TABLE ledger_balances ADD CONSTRAINT ledger_balances_side_check
  CHECK (non_negative_side IS NULL OR non_negative_side IN ('debit', 'credit'));
--> statement-breakpoint
-- Invariant 1: a transaction has at least two entries and they sum to zero per currency and phase.
-- Checked once per transaction at commit (deferred), with one index lookup, so a batch stays fast.
CREATE OR REPLACE FUNCTION ledger_assert_transaction_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  entry_count bigint;
  unbalanced_groups bigint;
BEGIN
  SELECT coalesce(sum(groups.entries), 0), count(*) FILTER (WHERE groups.total <> 0)
    INTO entry_count, unbalanced_groups
    FROM (
      SELECT count(*) AS entries, sum(amount) AS total
        FROM ledger_entries
       WHERE transaction_id = NEW.id
       GROUP BY currency, phase
    ) AS groups;
  IF entry_count < 2 THEN
    RAISE EXCEPTION 'ledger transaction % has % entries; at least 2 are required', NEW.id, entry_count
      USING ERRCODE = 'check_violation';
  END IF;
  IF unbalanced_groups > 0 THEN
    RAISE EXCEPTION 'ledger transaction % is unbalanced: its entries do not sum to zero per currency', NEW.id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER ledger_transactions_balanced AFTER INSERT ON ledger_transactions
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION ledger_assert_transaction_balanced();
--> statement-breakpoint
-- Invariant 2: entries are never updated or deleted (tally_refuse_change comes from 0001).
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION tally_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
  FOR EACH STATEMENT EXECUTE FUNCTION tally_refuse_change();
--> statement-breakpoint
-- Invariant 6: a transaction never changes, except a pending one that is resolved once
-- (pending -> posted | voided | expired, stamping resolved_at).
CREATE OR REPLACE FUNCTION ledger_guard_transaction_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'pending'
     AND NEW.status IN ('posted', 'voided', 'expired')
     AND NEW.resolved_at IS NOT NULL
     AND (to_jsonb(NEW) - 'status' - 'resolved_at') = (to_jsonb(OLD) - 'status' - 'resolved_at') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'ledger transaction % is immutable (status %): only a pending transaction may be resolved, once', OLD.id, OLD.status
    USING ERRCODE = 'restrict_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER ledger_transactions_guard_update BEFORE UPDATE ON ledger_transactions
  FOR EACH ROW EXECUTE FUNCTION ledger_guard_transaction_update();
--> statement-breakpoint
CREATE TRIGGER ledger_transactions_no_delete BEFORE DELETE ON ledger_transactions
  FOR EACH ROW EXECUTE FUNCTION tally_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON ledger_transactions
  FOR EACH STATEMENT EXECUTE FUNCTION tally_refuse_change();
--> statement-breakpoint
-- Accounts are never deleted; only closing them and their metadata may change.
CREATE OR REPLACE FUNCTION ledger_guard_account_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (to_jsonb(NEW) - 'closed' - 'closed_at' - 'metadata') = (to_jsonb(OLD) - 'closed' - 'closed_at' - 'metadata') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'ledger account % may only be closed or have its metadata changed', OLD.code
    USING ERRCODE = 'restrict_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER ledger_accounts_guard_update BEFORE UPDATE ON ledger_accounts
  FOR EACH ROW EXECUTE FUNCTION ledger_guard_account_update();
--> statement-breakpoint
CREATE TRIGGER ledger_accounts_no_delete BEFORE DELETE ON ledger_accounts
  FOR EACH ROW EXECUTE FUNCTION tally_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_accounts_no_truncate BEFORE TRUNCATE ON ledger_accounts
  FOR EACH STATEMENT EXECUTE FUNCTION tally_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_balances_no_delete BEFORE DELETE ON ledger_balances
  FOR EACH ROW EXECUTE FUNCTION tally_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_balances_no_truncate BEFORE TRUNCATE ON ledger_balances
  FOR EACH STATEMENT EXECUTE FUNCTION tally_refuse_change();
