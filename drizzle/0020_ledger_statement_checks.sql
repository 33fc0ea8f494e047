-- Balanced transactions, checked once per statement instead of once per row at commit.
--
-- Before: a DEFERRABLE INITIALLY DEFERRED row trigger on ledger_transactions ran one query per
-- transaction at commit (8,190 plpgsql calls per batch), and the entry reference check hashed the
-- whole of ledger_transactions (its plpgsql plan, cached per connection while the table was small,
-- kept a sequential scan), so the cost grew with the batch and with the table.
--
-- Now, set-based, at the end of every statement that inserts into these tables:
--   * ledger_transactions: every inserted transaction is summed from all of its entries; one with
--     fewer than 2 entries or not summing to zero per currency and phase is queued for a re-check
--     at commit (raw SQL may insert a transaction and its entries in separate statements);
--   * ledger_entries: every referenced account (in that currency) and transaction must exist, and
--     a transaction that this statement did not itself insert (an earlier or nested statement
--     did) is queued for a re-check at commit.
-- The re-check is a deferred constraint trigger on ledger_balance_rechecks that keeps the old name
-- ledger_transactions_balanced (SET CONSTRAINTS still works); it refuses the commit unless the
-- transaction has 2+ entries summing to zero per currency and phase.
-- Guarantee (the old one, and more): every transaction balances when the database transaction
-- that inserted it commits. Proof sketch: an entry can only be inserted for a transaction that
-- exists at the end of the entry's statement, so all entries of T come from T's insert statement S
-- or later (or nested) statements. Entries from any statement other than S queue a full re-check
-- at commit. Otherwise T's entries are exactly those present at the end of S, which S summed:
-- balanced then means balanced at commit (entries are append-only), unbalanced was queued.
-- "Inserted by this statement" compares T's row (xmin, cmin, and xmax = 0: never locked or
-- changed) with an entry row of the statement; anything else is re-checked, so it errs safe.
-- Lookups are forced through the indexes (LATERAL ... LIMIT/OFFSET, no sequential or bitmap scans
-- in these functions): their plans are cached per connection, often while the tables are still
-- empty, and must not turn into a scan of the whole table per statement (or per row).
CREATE TABLE ledger_balance_rechecks (
  transaction_id uuid NOT NULL
);
--> statement-breakpoint
CREATE TRIGGER ledger_balance_rechecks_no_update BEFORE UPDATE ON ledger_balance_rechecks
  FOR EACH ROW EXECUTE FUNCTION tally_refuse_change();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION ledger_recheck_transaction_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  entry_count bigint;
  unbalanced_groups bigint;
BEGIN
  SELECT coalesce(sum(groups.entries), 0), count(*) FILTER (WHERE groups.total <> 0)
    INTO entry_count, unbalanced_groups
    FROM (
      SELECT count(*) AS entries, sum(amount) AS total
        FROM ledger_entries
       WHERE transaction_id = NEW.transaction_id
       GROUP BY currency, phase
    ) AS groups;
  IF entry_count < 2 THEN
    RAISE EXCEPTION 'ledger transaction % has % entries; at least 2 are required', NEW.transaction_id, entry_count
      USING ERRCODE = 'check_violation';
  END IF;
  IF unbalanced_groups > 0 THEN
    RAISE EXCEPTION 'ledger transaction % is unbalanced: its entries do not sum to zero per currency', NEW.transaction_id
      USING ERRCODE = 'check_violation';
  END IF;
  DELETE FROM ledger_balance_rechecks WHERE transaction_id = NEW.transaction_id;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
DROP TRIGGER ledger_transactions_balanced ON ledger_transactions;
--> statement-breakpoint
DROP FUNCTION ledger_assert_transaction_balanced();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER ledger_transactions_balanced AFTER INSERT ON ledger_balance_rechecks
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION ledger_recheck_transaction_balanced();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION ledger_check_inserted_transactions() RETURNS trigger LANGUAGE plpgsql
  SET enable_seqscan = off SET enable_bitmapscan = off AS $$
BEGIN
  INSERT INTO ledger_balance_rechecks (transaction_id)
  SELECT g.id
    FROM (
      SELECT t.id, count(e.amount) AS entries, coalesce(sum(e.amount), 0) AS total
        FROM new_transactions t
        LEFT JOIN LATERAL (SELECT e.currency, e.phase, e.amount FROM ledger_entries e WHERE e.transaction_id = t.id OFFSET 0) e ON true
       GROUP BY t.id, e.currency, e.phase
    ) g
   GROUP BY g.id
  HAVING sum(g.entries) < 2 OR bool_or(g.total <> 0);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER ledger_transactions_balanced_per_statement AFTER INSERT ON ledger_transactions
  REFERENCING NEW TABLE AS new_transactions
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_inserted_transactions();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION ledger_check_entry_references() RETURNS trigger LANGUAGE plpgsql
  SET enable_seqscan = off SET enable_bitmapscan = off AS $$
DECLARE
  bad record;
  marker record;
BEGIN
  -- Accounts (a small table): each (account, currency) of the statement exists in that currency.
  SELECT n.account_id, n.currency
    INTO bad
    FROM (SELECT DISTINCT account_id, currency FROM new_entries) n
    LEFT JOIN ledger_accounts a ON a.id = n.account_id AND a.currency = n.currency
   WHERE a.id IS NULL
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger entry references account % in %, which does not exist in that currency', bad.account_id, bad.currency
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  -- Transactions touched: each exists. One inserted by this very statement (same inserting
  -- transaction and command id as the entries, and never locked or changed since) was re-summed by
  -- ledger_check_inserted_transactions at the end of this statement; any other gets a re-check at commit.
  SELECT e.xmin, e.cmin INTO marker FROM ledger_entries e WHERE e.id = (SELECT n.id FROM new_entries n LIMIT 1);
  FOR bad IN
    SELECT x.id, t.found IS NULL AS missing
      FROM (SELECT DISTINCT transaction_id AS id FROM new_entries) x
      LEFT JOIN LATERAL (
        SELECT true AS found, t.xmin::text = marker.xmin::text AND t.cmin::text = marker.cmin::text AND t.xmax::text = '0' AS same_statement
          FROM ledger_transactions t WHERE t.id = x.id LIMIT 1
      ) t ON true
     WHERE t.found IS NULL OR NOT t.same_statement
  LOOP
    IF bad.missing THEN
      RAISE EXCEPTION 'ledger entry references missing transaction %', bad.id
        USING ERRCODE = 'foreign_key_violation';
    END IF;
    INSERT INTO ledger_balance_rechecks (transaction_id) VALUES (bad.id);
  END LOOP;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- Lets one statement undo itself (the poster's fast path writes without an explicit transaction and
-- aborts the statement when a key was taken or an account closed since it decided the batch).
CREATE OR REPLACE FUNCTION ledger_abort_statement(reason text) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%', reason USING ERRCODE = 'LG001';
END;
$$;
