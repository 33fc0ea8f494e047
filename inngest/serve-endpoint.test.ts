import { describe, expect, it } from "vitest";
import { inngestEndpoint } from "./serve-endpoint";

const request = (method: string) =>
  new Request("http://localhost:3110/api/inngest?fnId=tally-job&stepId=step", {
    method,
    body: method === "GET" ? undefined : "{}",
    headers: { "content-type": "application/json" },
  });

describe("/api/inngest (issue 16 #12)", () => {
  it("answers a clear 503 with a code without a signing key, for every method", async () => {
    const endpoint = inngestEndpoint({ signingKey: undefined, devServer: false });
    for (const method of ["GET", "POST", "PUT"] as const) {
      const response = await endpoint[method](request(method));
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: { code: "inngest_not_configured", message: expect.stringContaining("INNGEST_SIGNING_KEY") } });
    }
  });

  it("hands requests to Inngest when a signing key is set (an unsigned call is refused, not failed)", async () => {
    const previous = process.env.INNGEST_SIGNING_KEY;
    process.env.INNGEST_SIGNING_KEY = "signkey-prod-0123456789abcdef0123456789abcdef";
    try {
      const endpoint = inngestEndpoint({ signingKey: process.env.INNGEST_SIGNING_KEY, devServer: false });
      const response = await endpoint.POST(request("POST"));
      expect(response.status).not.toBe(503);
      expect(response.status).toBeLessThan(500);
    } finally {
      if (previous === undefined) delete process.env.INNGEST_SIGNING_KEY;
      else process.env.INNGEST_SIGNING_KEY = previous;
    }
  });
});
