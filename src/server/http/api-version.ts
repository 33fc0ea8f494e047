import { DomainError } from "@/server/errors";
import type { HeaderReader } from "./api-exchange";

/**
 * Date-based API versions (`Tally-Version` request and response header). A request without the
 * header gets the current version; an unknown one is refused. A breaking change to a resource's
 * shape ships as a new date, with the older dates still answered their old way.
 */
export const apiVersions = ["2026-12-01"] as const;
export type ApiVersion = (typeof apiVersions)[number];
export const currentApiVersion: ApiVersion = "2026-12-01";
export const apiVersionHeader = "tally-version";

export function requestedApiVersion(headers: HeaderReader): ApiVersion {
  const given = headers.get(apiVersionHeader);
  if (given === null || given.trim() === "") return currentApiVersion;
  const version = given.trim();
  if ((apiVersions as readonly string[]).includes(version)) return version as ApiVersion;
  throw new DomainError("invalid", "unsupported_version", `Tally-Version "${version.slice(0, 40)}" is not a version of this API; use ${apiVersions.join(", ")} (or omit the header for ${currentApiVersion}).`, { supported: [...apiVersions] }, { param: "Tally-Version" });
}
