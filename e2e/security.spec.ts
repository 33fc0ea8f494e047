import http from "node:http";
import { expect, test, type Page } from "@playwright/test";
import { decode, encode } from "next-auth/jwt";
import { e2ePort } from "../playwright.config";
import { demoCustomers } from "../src/server/customers/seed-customers";
import { signIn } from "./helpers";
import { e2eAuthSecret } from "./server";

/* Issue 16's security defects against the production build (`next start`), in a real browser. */

/** A team on a live plan: the demo seed gives it a month of usage to chart. */
const team = demoCustomers().find((customer) => customer.kind === "team")!;
const sessionCookie = "next-auth.session-token";
const developmentSecret = "tally-development-secret-not-for-production";

/** Every CSP violation the page reports while `run` goes on. */
async function cspViolations(page: Page, run: () => Promise<void>): Promise<string[]> {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.exposeFunction("__reportCsp", (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      (window as unknown as { __reportCsp: (text: string) => void }).__reportCsp(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  await run();
  return violations;
}

test.describe("security headers (#8)", () => {
  test("pages carry a nonce CSP that Next's scripts satisfy, and charts still draw", async ({ page }) => {
    const violations = await cspViolations(page, async () => {
      const response = await page.goto("/sign-in");
      const policy = response!.headers()["content-security-policy"] ?? "";
      const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
      expect(nonce).toBeTruthy();
      expect(policy).toContain("frame-ancestors 'none'");
      expect(policy).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(response!.headers()["x-content-type-options"]).toBe("nosniff");
      expect(response!.headers()["referrer-policy"]).toBe("strict-origin-when-cross-origin");
      // Every script tag in the HTML Next rendered carries this response's nonce.
      const scriptTags = (await response!.text()).match(/<script\b[^>]*>/g) ?? [];
      expect(scriptTags.length).toBeGreaterThan(0);
      for (const tag of scriptTags) expect(tag).toContain(`nonce="${nonce}"`);
      await signIn(page, "finance");
      // A customer's usage chart (recharts, positioned with inline styles) must survive the policy.
      await page.goto(`/customers/${team.externalId}`);
      const section = page.getByTestId("usage-section");
      await section.getByLabel("Meter").selectOption({ label: "LLM tokens" });
      await expect(section.getByTestId("usage-chart").locator(".recharts-surface").first()).toBeVisible();
    });
    expect(violations).toEqual([]);
  });

  test("a fresh nonce per response; HSTS only over HTTPS; API answers carry the baseline headers", async ({ request }) => {
    const first = (await request.get("/sign-in")).headers()["content-security-policy"];
    const second = (await request.get("/sign-in")).headers()["content-security-policy"];
    expect(first).not.toBe(second);
    expect((await request.get("/sign-in")).headers()["strict-transport-security"]).toBeUndefined();
    const https = await request.get("/sign-in", { headers: { "x-forwarded-proto": "https" } });
    expect(https.headers()["strict-transport-security"]).toContain("max-age=");
    const api = await request.get("/api/health");
    expect(api.headers()["x-content-type-options"]).toBe("nosniff");
  });
});

test.describe("sessions (#2, #10)", () => {
  test("a session cookie signed with the development secret is refused", async ({ page, context }) => {
    await signIn(page, "admin");
    const genuine = (await context.cookies()).find((cookie) => cookie.name === sessionCookie)!;
    const claims = await decode({ token: genuine.value, secret: e2eAuthSecret });
    expect(claims?.sub).toBeTruthy();
    await context.clearCookies();
    const cookie = { name: sessionCookie, domain: "localhost", path: "/", httpOnly: true, sameSite: "Lax" as const };
    await context.addCookies([{ ...cookie, value: await encode({ token: claims!, secret: developmentSecret }) }]);
    await page.goto("/customers");
    await expect(page).toHaveURL(/\/sign-in/);
    // The same claims signed with the server's secret are a session: the check above can fail.
    await context.addCookies([{ ...cookie, value: await encode({ token: claims!, secret: e2eAuthSecret }) }]);
    await page.goto("/customers");
    await expect(page.getByTestId("signed-in-role")).toHaveText("admin");
  });

  test("after sign-out the old cookie no longer works", async ({ page, context, browser }) => {
    await signIn(page, "support");
    const cookies = await context.cookies();
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    // Someone who copied the cookie before sign-out.
    const stolen = await browser.newContext({ baseURL: `http://localhost:${e2ePort}` });
    await stolen.addCookies(cookies);
    const thief = await stolen.newPage();
    await thief.goto("/customers");
    await expect(thief).toHaveURL(/\/sign-in/);
    const api = await stolen.request.get(`/api/trpc/customer.list?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`);
    expect(api.status()).toBe(401);
    await stolen.close();
  });
});

test.describe("sign-in (#4, #9)", () => {
  for (const payload of ["/\\evil.example/phish", "//evil.example/phish", "/\t/evil.example", "https://evil.example/"]) {
    test(`callbackUrl ${JSON.stringify(payload)} stays on this site`, async ({ page }) => {
      await page.goto(`/sign-in?callbackUrl=${encodeURIComponent(payload)}`);
      await page.getByLabel("Email").fill("product@tally.test");
      await page.getByLabel("Password").fill("tally-demo");
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await expect(page.getByTestId("signed-in-role")).toHaveText("product");
      expect(new URL(page.url()).host).toBe(`localhost:${e2ePort}`);
      // Signed in already: the page redirects at once, on this site too.
      await page.goto(`/sign-in?callbackUrl=${encodeURIComponent(payload)}`);
      expect(new URL(page.url()).host).toBe(`localhost:${e2ePort}`);
    });
  }

  test("repeated failures for one account are throttled with a message", async ({ page }) => {
    await page.goto("/sign-in");
    const email = `nobody-${Date.now()}@tally.test`;
    for (let attempt = 0; attempt < 5; attempt++) {
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(`guess-${attempt}`);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await expect(page.getByTestId("sign-in-error")).toContainText("do not match");
      await expect(page.getByRole("button", { name: "Sign in", exact: true })).toBeEnabled();
    }
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByTestId("sign-in-error")).toContainText("Too many failed sign-ins");
  });
});

/** Sends a POST declaring `declaredBytes` but writing at most 1 MiB; resolves with the answer the server gave. */
function postHuge(path: string, declaredBytes: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: "127.0.0.1", port: e2ePort, path, method: "POST", agent: false, headers: { "content-type": "application/json", "content-length": String(declaredBytes) } },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    // The server closes the connection after its answer; a write cut short then is expected.
    request.on("error", (error) => setTimeout(() => reject(error), 2_000));
    request.write(Buffer.alloc(1024 * 1024, 0x20));
  });
}

test.describe("requests (#6, #12)", () => {
  test("a 200 MiB tRPC body is refused with 413 before it is read", async () => {
    const answer = await postHuge("/api/trpc/customer.update", 200 * 1024 * 1024);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: "body_too_large" } });
  });

  test("a tRPC mutation from another site is refused", async ({ request }) => {
    const refused = await request.post("/api/trpc/customer.update", { headers: { origin: "http://evil.example", "content-type": "application/json" }, data: {} });
    expect(refused.status()).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: "cross_origin_request" } });
    const sameSite = await request.post("/api/trpc/customer.update", { headers: { origin: `http://localhost:${e2ePort}`, "content-type": "application/json" }, data: {} });
    expect(sameSite.status()).toBe(401);
  });

  test("/api/inngest without a signing key answers a clear 503", async ({ request }) => {
    const response = await request.get("/api/inngest");
    expect(response.status()).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: "inngest_not_configured" } });
  });
});

test.describe("hostile links (#3, #15)", () => {
  test("a page link holding a NUL is refused with 400 and a sentence, never the error page", async ({ page }) => {
    await signIn(page, "admin");
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(String(error)));
    for (const path of ["/customers?q=%00'<script>", "/invoices?q=%00", "/admin/audit?action=%00", "/customers?cursor=%00", "/anomalies?customer=%00", "/ledger?code=%00", "/reports/revenue?from=%00", "/customers?%00=1"]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(400);
      await expect(page.locator("[data-error-code=invalid_text]"), path).toContainText("NUL character");
      await expect(page.locator("script")).toHaveCount(0);
    }
    await page.getByRole("link", { name: /without its parameters/ }).click();
    await expect(page).toHaveURL(/\/customers$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Customers");
    expect(pageErrors).toEqual([]);
  });

  test("over-long and malformed filters show the page with a message", async ({ page }) => {
    await signIn(page, "support");
    const long = "x".repeat(5_000);
    await page.goto(`/anomalies?customer=${long}`);
    await expect(page.getByRole("status").filter({ hasText: "No customer has the external id" })).toBeVisible();
    for (const path of [`/customers?q=${long}`, "/customers?sort=%27%3Bdrop", "/invoices?cursor=garbage", "/ledger?cursor=garbage", "/anomalies?after=garbage"]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(200);
      await expect(page.getByRole("heading", { level: 1 }), path).toBeVisible();
    }
  });
});
