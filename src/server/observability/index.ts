/*
 * Observability in one import: `import { logger, getRequestId, counter } from "@/server/observability"`.
 * See README.md in this folder.
 */
export { logger, type Logger } from "./logger";
export { getRequestContext, getRequestId, newRequestId, requestIdFrom, requestIdHeader, withRequestContext, type RequestContext } from "./request-context";
export {
  counter,
  fastSecondsBuckets,
  gauge,
  histogram,
  metricsRegistry,
  observeMany,
  renderMetrics,
  requestSecondsBuckets,
  secondsSince,
  slowSecondsBuckets,
} from "./metrics";
