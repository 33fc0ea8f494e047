CREATE TABLE "metering_late_marks" (
	"subject" text PRIMARY KEY NOT NULL,
	"late_txid" "xid8" NOT NULL,
	"late_seq" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "metering_cursors" ADD COLUMN "sealed_before" timestamp with time zone DEFAULT '-infinity' NOT NULL;