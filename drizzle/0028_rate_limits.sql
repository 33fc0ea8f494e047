CREATE TABLE "rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"refill_at_ms" numeric NOT NULL
);
