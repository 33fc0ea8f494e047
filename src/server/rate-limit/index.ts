export { consumeRateLimit, rateLimitBounds, type ConsumeRateLimitInput, type ConsumeRateLimitResult } from "./consume-rate-limit";
export { resetRateLimit } from "./reset-rate-limit";
export { pruneRateLimits, type PruneRateLimitsResult } from "./prune-rate-limits";
export { refundRateLimit } from "./refund-rate-limit";
