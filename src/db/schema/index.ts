// One file per domain; each later domain adds its line here.
export * from "./audit";
export * from "./auth";
export * from "./customers";
export * from "./api-keys";
export * from "./metering";
export * from "./catalog";
export * from "./ledger";
export * from "./subscriptions";
export * from "./entitlements";
export * from "./grants";
export * from "./promotions";
export * from "./stripe";
export * from "./invoicing";
export * from "./dunning";
export * from "./subscription-changes";
export * from "./billing-sync";
export * from "./rate-limit";
