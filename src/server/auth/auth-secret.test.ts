import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { developmentAuthSecret } from "@/env";

/*
 * Defect #2 of issue 16: in production with demo sign-in on and no NEXTAUTH_SECRET, sessions
 * were signed with the public development secret, so a forged admin token was accepted. Each
 * case runs the real modules in their own process with that process's environment, as
 * `next start` would load them.
 */

const strongSecret = "prod-secret-0123456789abcdef-0123456789";

function run(script: string, overrides: Record<string, string | undefined>) {
  const env: Record<string, string | undefined> = { ...process.env, NEXTAUTH_SECRET: undefined, TALLY_DEMO_LOGIN: undefined, OIDC_ISSUER: undefined, ...overrides };
  delete env.SKIP_ENV_VALIDATION;
  delete env.NEXT_PHASE;
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return spawnSync("node_modules/.bin/tsx", ["-e", script], { env: env as NodeJS.ProcessEnv, encoding: "utf8", timeout: 60_000 });
}

const loadEnv = "import('./src/env.ts').then(() => console.log('started'))";

describe("the session secret in production", () => {
  it.each([
    ["missing", undefined],
    ["the development value", developmentAuthSecret],
    ["short", "only-twenty-chars-xx"],
  ])("refuses to start with demo sign-in on and a %s NEXTAUTH_SECRET", (_label, secret) => {
    const result = run(loadEnv, { NODE_ENV: "production", TALLY_DEMO_LOGIN: "1", NEXTAUTH_SECRET: secret });
    expect(result.status).not.toBe(0);
    expect(result.stdout).not.toContain("started");
    expect(result.stderr).toContain("NEXTAUTH_SECRET");
  });

  it("applies to single sign-on too", () => {
    const result = run(loadEnv, { NODE_ENV: "production", OIDC_ISSUER: "https://sso.example.com", OIDC_CLIENT_ID: "tally", OIDC_CLIENT_SECRET: "x" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("NEXTAUTH_SECRET is required");
  });

  it("starts with a strong secret, and in development without one", () => {
    expect(run(loadEnv, { NODE_ENV: "production", TALLY_DEMO_LOGIN: "1", NEXTAUTH_SECRET: strongSecret }).stdout.trim()).toBe("started");
    expect(run(loadEnv, { NODE_ENV: "development", TALLY_DEMO_LOGIN: "1" }).stdout.trim()).toBe("started");
  });

  it("refuses an admin session token signed with the development secret", () => {
    // The attacker's token: any user id, signed with the secret anyone can read in this repository.
    const script = `
      const { encode, getToken } = await import("next-auth/jwt");
      const { authSecret } = await import("./src/server/auth/auth-secret.ts");
      const read = async (token) => getToken({ req: { headers: { cookie: "next-auth.session-token=" + token }, cookies: { "next-auth.session-token": token } }, secret: authSecret() });
      const claims = { sub: "00000000-0000-4000-8000-000000000001", email: "admin@tally.test" };
      const forged = await encode({ token: claims, secret: ${JSON.stringify(developmentAuthSecret)} });
      const genuine = await encode({ token: claims, secret: authSecret() });
      console.log(JSON.stringify({ forged: await read(forged), genuine: (await read(genuine))?.sub ?? null }));
    `;
    const result = run(`(async () => { ${script} })().then(() => process.exit(0), (error) => { console.error(error); process.exit(1); })`, {
      NODE_ENV: "production",
      TALLY_DEMO_LOGIN: "1",
      NEXTAUTH_SECRET: strongSecret,
      LOG_LEVEL: "silent",
    });
    expect(result.stderr).toBe("");
    const lines = result.stdout.trim().split("\n");
    expect(JSON.parse(lines[lines.length - 1]!)).toEqual({ forged: null, genuine: "00000000-0000-4000-8000-000000000001" });
  });
});
