/**
 * The client's address for per-address limits. With no trusted proxy (the default) it is the
 * connection's own address, since anyone can send `X-Forwarded-For`; behind N proxies of ours
 * (TALLY_TRUSTED_PROXY_HOPS=N) it is the Nth address from the right of `X-Forwarded-For`, the
 * one our outermost proxy saw.
 */
export function clientAddress(input: { forwardedFor: string | string[] | null | undefined; socketAddress: string | undefined; trustedProxyHops: number }): string {
  const socket = input.socketAddress || "unknown";
  if (input.trustedProxyHops <= 0 || !input.forwardedFor) return socket;
  const hops = (Array.isArray(input.forwardedFor) ? input.forwardedFor.join(",") : input.forwardedFor)
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  return hops[hops.length - input.trustedProxyHops] ?? hops[0] ?? socket;
}
