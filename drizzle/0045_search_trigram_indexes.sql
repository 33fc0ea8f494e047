-- Global search (src/server/search/search-global.ts): substring matches through trigram GIN indexes
-- (pg_trgm, created in *_customer_summaries_triggers.sql). The expressions must match the queries'.
create index if not exists customers_search_trgm_idx on customers using gin (lower(name || ' ' || email || ' ' || external_id) gin_trgm_ops);
--> statement-breakpoint
create index if not exists invoices_number_trgm_idx on invoices using gin (number gin_trgm_ops) where number is not null;
--> statement-breakpoint
create index if not exists promotion_codes_code_trgm_idx on promotion_codes using gin (code gin_trgm_ops);
