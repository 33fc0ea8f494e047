import { TRPCError } from "@trpc/server";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { roles, type Role } from "@/db/schema";
import { executeRows } from "@/db/execute";
import { systemClock } from "@/server/clock";
import { seedUsers } from "@/server/users/seed-users";
import { getUserByEmail } from "@/server/users/get-user";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { isPermission, permissions } from "./permissions";
import { appRouter, createCaller } from "./root";
import type { ProcedureMeta } from "./trpc";

type ProcedureEntry = { path: string; meta: ProcedureMeta | undefined; type: string; hasInput: boolean };

/** Every procedure of the app router, however deep, including the ones later issues add. */
function allProcedures(): ProcedureEntry[] {
  const procedures = appRouter._def.procedures as unknown as Record<
    string,
    { _def: { meta?: ProcedureMeta; type: string; inputs: unknown[] } }
  >;
  return Object.entries(procedures).map(([path, procedure]) => ({
    path,
    meta: procedure._def.meta,
    type: procedure._def.type,
    hasInput: procedure._def.inputs.length > 0,
  }));
}

async function callByPath(role: Role | null, path: string, input: unknown): Promise<unknown> {
  const user = role ? await getUserByEmail(database.db, `${role}@tally.test`) : undefined;
  const caller = createCaller({
    db: database.db,
    clock: systemClock,
    user: user ? { id: user.id, email: user.email, name: user.name, role: user.role } : null,
  });
  let target: unknown = caller;
  for (const part of path.split(".")) target = (target as Record<string, unknown>)[part];
  return (target as (value: unknown) => Promise<unknown>)(input);
}

/** Row counts of every table: a denied call must leave all of them as they were. */
async function tableFingerprint(): Promise<string> {
  const tables = await executeRows<{ name: string }>(
    database.db,
    sql`select quote_ident(table_schema) || '.' || quote_ident(table_name) as name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
  );
  const counts: string[] = [];
  for (const { name } of tables) {
    const [row] = await executeRows<{ count: string }>(database.db, sql.raw(`select count(*)::text as count from ${name}`));
    counts.push(`${name}=${row?.count}`);
  }
  return counts.join(",");
}

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await seedUsers(database.db);
});
afterAll(async () => {
  await database.drop();
});

const probeInput = "__permission_probe_not_a_valid_input__";

describe("authorization", () => {
  it("names a known permission on every procedure", () => {
    const procedures = allProcedures();
    expect(procedures.length).toBeGreaterThan(5);
    const missing = procedures.filter((procedure) => !procedure.meta || !isPermission(procedure.meta.permission));
    expect(missing.map((procedure) => procedure.path)).toEqual([]);
  });

  it("gives every mutation an input, so the probe below cannot run one for real", () => {
    const withoutInput = allProcedures().filter((procedure) => procedure.type === "mutation" && !procedure.hasInput);
    expect(withoutInput.map((procedure) => procedure.path)).toEqual([]);
  });

  it("refuses anonymous callers everywhere", async () => {
    for (const procedure of allProcedures()) {
      const error = await callByPath(null, procedure.path, probeInput).catch((caught: unknown) => caught);
      expect(error, procedure.path).toBeInstanceOf(TRPCError);
      expect((error as TRPCError).code, procedure.path).toBe("UNAUTHORIZED");
    }
  });

  for (const role of roles) {
    it(`lets ${role} call exactly what the permissions table allows, and a refusal writes nothing`, async () => {
      for (const procedure of allProcedures()) {
        const permission = procedure.meta?.permission;
        if (!isPermission(permission)) throw new Error(`${procedure.path} has no permission`);
        const allowed = (permissions[permission] as readonly Role[]).includes(role);
        const before = allowed ? "" : await tableFingerprint();
        const outcome = await callByPath(role, procedure.path, probeInput).then(
          () => "ok",
          (error: unknown) => (error instanceof TRPCError ? error.code : "other"),
        );
        if (allowed) {
          expect(["FORBIDDEN", "UNAUTHORIZED"], `${role} → ${procedure.path}`).not.toContain(outcome);
        } else {
          expect(outcome, `${role} → ${procedure.path}`).toBe("FORBIDDEN");
          expect(await tableFingerprint(), `${role} → ${procedure.path} wrote`).toBe(before);
        }
      }
    });
  }

  it("has a support user refused an admin-only procedure", async () => {
    const error = await callByPath("support", "user.create", {
      email: "intruder@tally.test",
      name: "Intruder",
      role: "admin",
    }).catch((caught: unknown) => caught);
    expect((error as TRPCError).code).toBe("FORBIDDEN");
    expect(await getUserByEmail(database.db, "intruder@tally.test")).toBeUndefined();
  });

  it("lets product read the anomaly queue but not act on it, and support act on it", async () => {
    expect(await callByPath("product", "anomaly.list", {})).toMatchObject({ items: [] });
    const refused = await callByPath("product", "anomaly.resolve", { id: "00000000-0000-4000-8000-000000000000", reason: "not mine to close" }).catch((caught: unknown) => caught);
    expect((refused as TRPCError).code).toBe("FORBIDDEN");
    const missing = await callByPath("support", "anomaly.resolve", { id: "00000000-0000-4000-8000-000000000000", reason: "duplicate ticket" }).catch((caught: unknown) => caught);
    expect((missing as TRPCError).code).toBe("NOT_FOUND");
  });

  it("lets support add a note to a customer and product only read the notes", async () => {
    const customer = (await callByPath("support", "customer.create", { externalId: "cus_permission_notes", name: "Notes Co", email: "notes@example.test", kind: "team", reason: "new customer for the notes test" })) as { id: string };
    await callByPath("support", "customer.note.add", { customerId: customer.id, body: "Asked about the March invoice." });
    const refused = await callByPath("product", "customer.note.add", { customerId: customer.id, body: "Not mine to write." }).catch((caught: unknown) => caught);
    expect((refused as TRPCError).code).toBe("FORBIDDEN");
    const notes = (await callByPath("product", "customer.note.list", { customerId: customer.id })) as { items: { body: string }[] };
    expect(notes.items.map((note) => note.body)).toEqual(["Asked about the March invoice."]);
  });
});
