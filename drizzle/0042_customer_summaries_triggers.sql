-- Global search (src/server/search): trigram indexes for substring matches on name, email and ids.
-- PGlite ships the extension too (@electric-sql/pglite/contrib/pg_trgm, loaded in src/db/client.ts).
create extension if not exists pg_trgm;
--> statement-breakpoint
-- The customer list's read model (src/db/schema/customer-summaries.ts), kept by the writers' transactions.
create or replace function customer_summaries_on_customer_insert() returns trigger language plpgsql as $$
begin
  insert into customer_summaries (customer_id, name_key, kind, currency, archived, customer_created_at)
  select id, lower(name), kind, currency, archived_at is not null, created_at from inserted
  on conflict (customer_id) do nothing;
  return null;
end $$;
--> statement-breakpoint
create trigger customer_summaries_customer_insert after insert on customers
  referencing new table as inserted for each statement execute function customer_summaries_on_customer_insert();
--> statement-breakpoint
create or replace function customer_summaries_on_customer_update() returns trigger language plpgsql as $$
begin
  update customer_summaries set name_key = lower(new.name), kind = new.kind, currency = new.currency,
    archived = new.archived_at is not null, customer_created_at = new.created_at, updated_at = now()
  where customer_id = new.id;
  return null;
end $$;
--> statement-breakpoint
create trigger customer_summaries_customer_update after update of name, kind, currency, archived_at, created_at on customers
  for each row execute function customer_summaries_on_customer_update();
--> statement-breakpoint
-- The live subscription decides plan and status; a canceled one only when no live one is left.
create or replace function customer_summaries_on_subscription() returns trigger language plpgsql as $$
begin
  if new.status = 'canceled' and exists (
    select 1 from subscriptions where customer_id = new.customer_id and status <> 'canceled' and id <> new.id
  ) then
    return null;
  end if;
  update customer_summaries cs set status = new.status, plan_name = p.name, plan_key = p.key, updated_at = now()
  from catalog_plan_versions v join catalog_plans p on p.id = v.plan_id
  where v.id = new.plan_version_id and cs.customer_id = new.customer_id;
  return null;
end $$;
--> statement-breakpoint
create trigger customer_summaries_subscription after insert or update of status, plan_version_id on subscriptions
  for each row execute function customer_summaries_on_subscription();
--> statement-breakpoint
-- Balance due: the customer's finalized (open) invoices, recounted when one enters or leaves that state.
create or replace function customer_summaries_on_invoice() returns trigger language plpgsql as $$
begin
  if new.status <> 'finalized' and (tg_op = 'INSERT' or old.status <> 'finalized') then
    return null;
  end if;
  update customer_summaries set updated_at = now(),
    balance_due_micros = (select coalesce(sum(total_micros), 0) from invoices where customer_id = new.customer_id and status = 'finalized')
  where customer_id = new.customer_id;
  return null;
end $$;
--> statement-breakpoint
create trigger customer_summaries_invoice after insert or update of status, total_micros on invoices
  for each row execute function customer_summaries_on_invoice();
--> statement-breakpoint
create or replace function customer_summaries_on_anomaly() returns trigger language plpgsql as $$
begin
  if new.customer_id is null then
    return null;
  end if;
  update customer_summaries set updated_at = now(),
    open_anomalies = (select count(*) from anomalies where customer_id = new.customer_id and status in ('open', 'acknowledged'))
  where customer_id = new.customer_id;
  return null;
end $$;
--> statement-breakpoint
create trigger customer_summaries_anomaly after insert or update of status on anomalies
  for each row execute function customer_summaries_on_anomaly();
--> statement-breakpoint
-- Backfill for databases migrated with data; month-to-date spend follows from the refresh job.
insert into customer_summaries (customer_id, name_key, kind, currency, archived, customer_created_at, plan_name, plan_key, status, balance_due_micros, open_anomalies)
select c.id, lower(c.name), c.kind, c.currency, c.archived_at is not null, c.created_at,
       coalesce(s.plan_name, ''), coalesce(s.plan_key, ''), coalesce(s.status, 'none'),
       coalesce((select sum(total_micros) from invoices i where i.customer_id = c.id and i.status = 'finalized'), 0),
       (select count(*) from anomalies a where a.customer_id = c.id and a.status in ('open', 'acknowledged'))
from customers c
left join lateral (
  select s.status, p.name as plan_name, p.key as plan_key
  from subscriptions s join catalog_plan_versions v on v.id = s.plan_version_id join catalog_plans p on p.id = v.plan_id
  where s.customer_id = c.id
  order by (s.status <> 'canceled') desc, s.created_at desc, s.id desc
  limit 1
) s on true
on conflict (customer_id) do nothing;
