-- A published plan version is immutable: customers are billed by it. Only these changes pass:
-- published → archived (with archived_at), and the Stripe ids the sync fills in later.
CREATE OR REPLACE FUNCTION catalog_plan_version_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  mutable_columns text[] := ARRAY['status', 'archived_at', 'updated_at', 'stripe_price_id', 'stripe_usage_price_ids'];
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status <> 'draft' THEN
      RAISE EXCEPTION 'plan version % is % and immutable: it cannot be deleted', OLD.id, OLD.status
        USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN OLD;
  END IF;
  IF OLD.status = 'draft' THEN
    RETURN NEW;
  END IF;
  IF (to_jsonb(NEW) - mutable_columns) IS DISTINCT FROM (to_jsonb(OLD) - mutable_columns) THEN
    RAISE EXCEPTION 'plan version % is % and immutable: create a new version instead', OLD.id, OLD.status
      USING ERRCODE = 'restrict_violation';
  END IF;
  IF NEW.status <> OLD.status AND NOT (OLD.status = 'published' AND NEW.status = 'archived') THEN
    RAISE EXCEPTION 'plan version % cannot go from % to %', OLD.id, OLD.status, NEW.status
      USING ERRCODE = 'restrict_violation';
  END IF;
  IF OLD.status = 'archived' AND NEW.archived_at IS DISTINCT FROM OLD.archived_at THEN
    RAISE EXCEPTION 'plan version % is archived and immutable', OLD.id
      USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER catalog_plan_versions_immutable BEFORE UPDATE OR DELETE ON catalog_plan_versions
  FOR EACH ROW EXECUTE FUNCTION catalog_plan_version_guard();
--> statement-breakpoint
CREATE TRIGGER catalog_plan_versions_no_truncate BEFORE TRUNCATE ON catalog_plan_versions
  FOR EACH STATEMENT EXECUTE FUNCTION tally_refuse_change();
