CREATE INDEX "ledger_accounts_code_sort_idx" ON "ledger_accounts" USING btree ("code","id");--> statement-breakpoint
CREATE INDEX "ledger_accounts_created_sort_idx" ON "ledger_accounts" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "ledger_accounts_kind_code_idx" ON "ledger_accounts" USING btree ("kind","code","id");--> statement-breakpoint
CREATE INDEX "ledger_accounts_kind_created_idx" ON "ledger_accounts" USING btree ("kind","created_at","id");--> statement-breakpoint
CREATE INDEX "ledger_accounts_currency_idx" ON "ledger_accounts" USING btree ("currency");--> statement-breakpoint
CREATE INDEX "ledger_entries_account_amount_idx" ON "ledger_entries" USING btree ("account_id",abs("amount"),"id");