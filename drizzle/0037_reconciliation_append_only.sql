-- Reconciliation keeps every discrepancy it ever recorded: a cleared one is marked resolved, never deleted.
CREATE OR REPLACE FUNCTION reconciliation_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'reconciliation discrepancies are never deleted; mark them resolved' USING ERRCODE = 'restrict_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER reconciliation_discrepancies_no_delete BEFORE DELETE ON reconciliation_discrepancies FOR EACH ROW EXECUTE FUNCTION reconciliation_refuse_delete();
--> statement-breakpoint
CREATE TRIGGER reconciliation_discrepancies_no_truncate BEFORE TRUNCATE ON reconciliation_discrepancies FOR EACH STATEMENT EXECUTE FUNCTION reconciliation_refuse_delete();
