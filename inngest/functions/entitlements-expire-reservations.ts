import { entitlementJobs } from "@/server/entitlements/entitlement-jobs";
import { createJobFunction, type JobFunctionOptions } from "../job-function";

const job = entitlementJobs.find((candidate) => candidate.name === "entitlements:expire-reservations")!;

/**
 * Every 5 minutes, a backstop for the in-server worker (TALLY_WORKERS=off deployments): checks
 * already ignore holds past their time-to-live, so this only tidies their status.
 */
export function createExpireReservationsFunction(context?: JobFunctionOptions["context"]) {
  return createJobFunction({ job, trigger: { cron: "TZ=UTC */5 * * * *" }, retries: 3, context });
}

export const entitlementsExpireReservations = createExpireReservationsFunction();
