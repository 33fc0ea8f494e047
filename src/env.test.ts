import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

function loadEnv(overrides: Record<string, string>) {
  const env: Record<string, string | undefined> = { ...process.env, ...overrides };
  delete env.SKIP_ENV_VALIDATION;
  return spawnSync("node_modules/.bin/tsx", ["-e", "import('./src/env.ts').then(() => console.log('valid'))"], {
    env: env as NodeJS.ProcessEnv,
    encoding: "utf8",
    timeout: 30_000,
  });
}

describe("configuration", () => {
  it("stops with a message naming the variable when DATABASE_URL is not a URL", () => {
    const result = loadEnv({ DATABASE_URL: "not-a-url" });
    expect(result.status).not.toBe(0);
    expect(result.stdout).not.toContain("valid");
    expect(result.stderr).toContain("DATABASE_URL");
  });

  it("refuses a Stripe key that is not a secret key", () => {
    const result = loadEnv({ STRIPE_SECRET_KEY: "pk_test_123" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("STRIPE_SECRET_KEY");
  });

  it("accepts a valid configuration", () => {
    const result = loadEnv({ DATABASE_URL: "postgres://postgres@127.0.0.1:5432/postgres", STRIPE_SECRET_KEY: "sk_test_abc" });
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe("valid");
  });
});
