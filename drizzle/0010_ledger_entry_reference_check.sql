-- Entries reference their transaction and their account (with the account's currency). Checked once
-- per statement over the inserted rows (a set-based anti-join) instead of row-by-row foreign keys,
-- which cost a lookup and a row lock per entry and made every batch lock the hot platform accounts.
-- Nothing referenced can disappear: transactions and accounts refuse DELETE (see ledger_invariants).
CREATE OR REPLACE FUNCTION ledger_check_entry_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT n.transaction_id, n.account_id, n.currency, t.id IS NULL AS missing_transaction
    INTO bad
    FROM new_entries n
    LEFT JOIN ledger_transactions t ON t.id = n.transaction_id
    LEFT JOIN ledger_accounts a ON a.id = n.account_id AND a.currency = n.currency
   WHERE t.id IS NULL OR a.id IS NULL
   LIMIT 1;
  IF FOUND THEN
    IF bad.missing_transaction THEN
      RAISE EXCEPTION 'ledger entry references missing transaction %', bad.transaction_id
        USING ERRCODE = 'foreign_key_violation';
    END IF;
    RAISE EXCEPTION 'ledger entry references account % in %, which does not exist in that currency', bad.account_id, bad.currency
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER ledger_entries_references AFTER INSERT ON ledger_entries
  REFERENCING NEW TABLE AS new_entries
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_entry_references();
