import { describe, expect, it } from "vitest";
import { clientAddress } from "./client-address";

describe("clientAddress (sign-in throttle per address)", () => {
  it("ignores X-Forwarded-For unless proxies are trusted, so a client cannot pick its own address", () => {
    expect(clientAddress({ forwardedFor: "1.2.3.4", socketAddress: "203.0.113.7", trustedProxyHops: 0 })).toBe("203.0.113.7");
  });

  it("takes the address our outermost trusted proxy saw", () => {
    // The client forged "1.2.3.4"; our one proxy appended the real address.
    expect(clientAddress({ forwardedFor: "1.2.3.4, 198.51.100.20", socketAddress: "10.0.0.2", trustedProxyHops: 1 })).toBe("198.51.100.20");
    expect(clientAddress({ forwardedFor: "1.2.3.4, 198.51.100.20, 10.0.0.9", socketAddress: "10.0.0.2", trustedProxyHops: 2 })).toBe("198.51.100.20");
    expect(clientAddress({ forwardedFor: undefined, socketAddress: "10.0.0.2", trustedProxyHops: 1 })).toBe("10.0.0.2");
  });
});
