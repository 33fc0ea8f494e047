import { Writable } from "node:stream";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { describe, expect, it } from "vitest";
import { DomainError } from "@/server/errors";
import { authorizeMetricsScrape } from "./authorize-metrics-scrape";
import { createLogger, defaultLogLevel } from "./logger";
import { histogram, metricsRegistry, observeMany } from "./metrics";
import { getRequestId, newRequestId, requestIdFrom, withRequestContext } from "./request-context";

function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString("utf8").split("\n")) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { log: createLogger({ level: "info", destination }), lines };
}

describe("request ids", () => {
  it("keeps a sane incoming id and replaces anything else with a new one", () => {
    expect(requestIdFrom("3f1c9a52-8c0e-4a57-b7a7-0c1f1ad1f0b1")).toBe("3f1c9a52-8c0e-4a57-b7a7-0c1f1ad1f0b1");
    expect(requestIdFrom("req_abc.DEF:1")).toBe("req_abc.DEF:1");
    for (const hostile of ["", "has space", "x".repeat(129), "line\nbreak", "<script>", "é", null, undefined]) {
      expect(requestIdFrom(hostile)).toMatch(/^req_[0-9a-f]{32}$/);
    }
    expect(newRequestId("job")).toMatch(/^job_[0-9a-f]{32}$/);
    expect(newRequestId()).not.toBe(newRequestId());
  });

  it("is seen by everything a context runs, across awaits, and by nothing outside it", async () => {
    expect(getRequestId()).toBeUndefined();
    const seen = await withRequestContext({ requestId: "req_outer" }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      const inner = await withRequestContext({ job: "reconcile" }, async () => getRequestId());
      return { outer: getRequestId(), inner };
    });
    expect(seen.outer).toBe("req_outer");
    expect(seen.inner).toMatch(/^job_/);
    expect(getRequestId()).toBeUndefined();
  });
});

describe("logger", () => {
  it("writes JSON lines with the level's name, and the request id and job inside a context", () => {
    const { log, lines } = captureLogger();
    log.info({ customer: "cus_1" }, "outside");
    withRequestContext({ requestId: "req_1", job: "reconcile" }, () => log.child({ component: "reconciliation" }).warn("inside"));
    expect(lines[0]).toMatchObject({ level: "info", msg: "outside", customer: "cus_1", service: "tally" });
    expect(lines[0]).not.toHaveProperty("requestId");
    expect(lines[1]).toMatchObject({ level: "warn", msg: "inside", requestId: "req_1", job: "reconcile", component: "reconciliation" });
    expect(typeof lines[1]!.time).toBe("string");
  });

  it("records an error with its type, message, stack and code", () => {
    const { log, lines } = captureLogger();
    withRequestContext({ requestId: "req_err" }, () => log.error({ err: new DomainError("conflict", "invoice_locked", "The invoice is locked.") }, "failed"));
    expect(lines[0]).toMatchObject({ requestId: "req_err", err: { type: "DomainError", message: "The invoice is locked.", code: "invoice_locked" } });
    expect(String((lines[0]!.err as { stack: string }).stack)).toContain("DomainError");
  });

  it("takes LOG_LEVEL, else is quiet in development and silent under tests", () => {
    expect(defaultLogLevel({ LOG_LEVEL: "DEBUG", NODE_ENV: "production" })).toBe("debug");
    expect(defaultLogLevel({ LOG_LEVEL: "nonsense", NODE_ENV: "production" })).toBe("info");
    expect(defaultLogLevel({ NODE_ENV: "development" })).toBe("warn");
    expect(defaultLogLevel({ NODE_ENV: "development", VITEST: "true" })).toBe("silent");
  });
});

describe("metrics helpers", () => {
  it("declares a metric once however often it is declared, and observeMany counts a weight in one step", async () => {
    const lag = histogram({ name: "tally_test_observe_many_seconds", help: "test", buckets: [1, 10, 100] });
    expect(histogram({ name: "tally_test_observe_many_seconds", help: "test", buckets: [1, 10, 100] })).toBe(lag);
    observeMany(lag, 0.5, 3);
    observeMany(lag, 5, 1);
    observeMany(lag, 500, 1_000);
    observeMany(lag, 5, 0);
    const families = parsePrometheusTextFormat(`${await metricsRegistry.getSingleMetricAsString("tally_test_observe_many_seconds")}\n`);
    const [series] = families[0]!.metrics as { buckets: Record<string, string>; count: string; sum: string }[];
    expect(series!.buckets).toEqual({ "1": "3", "10": "4", "100": "4", "+Inf": "1004" });
    expect(series!.count).toBe("1004");
    expect(Number(series!.sum)).toBe(0.5 * 3 + 5 + 500 * 1_000);
  });
});

describe("authorizeMetricsScrape", () => {
  const token = "metrics-token-0123456789";
  it("with a token, takes exactly the bearer token from anywhere", () => {
    expect(authorizeMetricsScrape({ authorization: `Bearer ${token}`, token, nodeEnv: "production", remoteAddress: "10.0.0.9" })).toEqual({ allowed: true });
    for (const authorization of [null, "", `Bearer ${token}x`, `bearer${token}`, token, "Bearer "]) {
      expect(authorizeMetricsScrape({ authorization, token, nodeEnv: "development", remoteAddress: "127.0.0.1" })).toMatchObject({ allowed: false, status: 401, code: "metrics_unauthorized" });
    }
  });
  it("without a token, is open to loopback in development only", () => {
    expect(authorizeMetricsScrape({ authorization: null, token: undefined, nodeEnv: "development", remoteAddress: "::1" })).toEqual({ allowed: true });
    expect(authorizeMetricsScrape({ authorization: null, token: undefined, nodeEnv: "development", remoteAddress: "192.168.1.4" })).toMatchObject({ allowed: false, status: 401 });
    expect(authorizeMetricsScrape({ authorization: null, token: undefined, nodeEnv: "development", remoteAddress: undefined })).toMatchObject({ allowed: false });
    expect(authorizeMetricsScrape({ authorization: null, token: undefined, nodeEnv: "production", remoteAddress: "127.0.0.1" })).toMatchObject({ allowed: false, status: 503, code: "metrics_not_configured" });
  });
});
