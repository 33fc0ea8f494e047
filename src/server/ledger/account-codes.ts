/** The chart of accounts, by code. One place builds codes so no caller spells them by hand. */
export const ledgerAccountCodes = {
  customerGrant: (customerId: string, grantId: string) => `customer:${customerId}:grant:${grantId}`,
  customerUnbilled: (customerId: string) => `customer:${customerId}:unbilled`,
  customerReceivable: (customerId: string) => `customer:${customerId}:receivable`,
  revenueUsage: (product: string) => `revenue:usage:${product}`,
  revenueSubscription: (product: string) => `revenue:subscription:${product}`,
  revenueBreakage: () => "revenue:breakage",
  expensePromotions: () => "expense:promotions",
  expenseBadDebt: () => "expense:bad_debt",
  expenseStripeFees: () => "expense:stripe_fees",
  cashStripe: () => "cash:stripe",
  cashBank: () => "cash:bank",
  rounding: () => "rounding",
} as const;

export const customerAccountPrefix = (customerId: string) => `customer:${customerId}:`;
