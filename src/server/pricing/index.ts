export * from "./price-schema";
export { validatePrice, priceIssueCodes, maxPriceDecimalPlaces, type PriceIssue, type PriceIssueCode } from "./validate-price";
export { rate, rateIncrement, selectPriceModel, type RateLine, type RateLineKind, type RateResult, type RateIncrementResult } from "./rate";
export * from "./rate-period";
export * from "./simulate-plan";
export { toMicrosHalfEven } from "./decimal";
