CREATE TABLE "job_item_failures" (
	"job" text NOT NULL,
	"item_key" text NOT NULL,
	"code" text NOT NULL,
	"message" text NOT NULL,
	"attempts" integer DEFAULT 1 NOT NULL,
	"first_failed_at" timestamp with time zone NOT NULL,
	"last_failed_at" timestamp with time zone NOT NULL,
	"resolved_at" timestamp with time zone,
	CONSTRAINT "job_item_failures_job_item_key_pk" PRIMARY KEY("job","item_key")
);
