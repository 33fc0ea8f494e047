import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { systemClock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { withRequestContext } from "@/server/observability/request-context";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { createTRPCRouter, publicProcedure } from "./trpc";

/*
 * Issue 16 #7: tRPC 500s returned the SQL text and its parameters (a customer's email) to the
 * browser. A procedure whose query fails on real PostgreSQL, answered over HTTP as the route does.
 */
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 2 });
});
afterAll(async () => {
  await database?.drop();
});

const router = createTRPCRouter({
  brokenSearch: publicProcedure.input(z.object({ email: z.string().max(200) })).query(async ({ ctx, input }) => {
    await ctx.db.execute(sql`select id from users where email = ${input.email} and no_such_column = 1`);
    return "unreachable";
  }),
  refused: publicProcedure.query(() => {
    throw new DomainError("conflict", "plan_in_use", "The plan has active subscriptions.");
  }),
});

async function call(path: string, input?: unknown): Promise<{ status: number; body: string }> {
  const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  return withRequestContext({ requestId: "req_internal_errors_test" }, async () => {
    const response = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req: new Request(`http://localhost/api/trpc/${path}${query}`),
      router,
      createContext: () => ({ db: database.db, clock: systemClock, user: null }),
    });
    return { status: response.status, body: await response.text() };
  });
}

describe("internal errors over tRPC", () => {
  it("answer a code and the request id, never the SQL or its parameters", async () => {
    const answer = await call("brokenSearch", { email: "jane.doe@customer.example" });
    expect(answer.status).toBe(500);
    expect(answer.body).not.toContain("jane.doe@customer.example");
    expect(answer.body.toLowerCase()).not.toContain("select");
    expect(answer.body).not.toContain("no_such_column");
    const body = JSON.parse(answer.body) as { error: { json: { message: string; data: { code: string; domainCode: string; requestId: string; stack?: unknown } } } };
    expect(body.error.json.data).toMatchObject({ code: "INTERNAL_SERVER_ERROR", domainCode: "internal_error", requestId: "req_internal_errors_test" });
    expect(body.error.json.message).toContain("req_internal_errors_test");
    expect(body.error.json.data.stack ?? null).toBeNull();
  });

  it("keep a domain error's code and message (the user can act on those)", async () => {
    const answer = await call("refused");
    expect(answer.status).toBe(409);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { json: { message: "The plan has active subscriptions.", data: { domainCode: "plan_in_use" } } } });
  });
});
