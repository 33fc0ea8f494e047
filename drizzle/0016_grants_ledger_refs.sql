ALTER TABLE "credit_grants" ALTER COLUMN "ledger_account_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "credit_grants" ALTER COLUMN "ledger_transaction_id" DROP NOT NULL;