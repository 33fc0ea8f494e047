-- The development key (created by the demo seed, never in production) holds every scope, including the new write scopes.
UPDATE "api_keys" SET "scopes" = ARRAY['ingest','entitlements','read','customers:write','subscriptions:write','credits:write']::text[]
WHERE "created_by" = 'seed' AND "name" = 'Demo key (development only)' AND "revoked_at" IS NULL;
