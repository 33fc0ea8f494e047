import bcrypt from "bcryptjs";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { users, type Role } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import { isUniqueViolation } from "@/db/errors";
import { DomainError } from "@/server/errors";

export type CreateUserInput = { email: string; name: string; role: Role; password?: string };

export async function createUser(db: Db, actor: Actor, input: CreateUserInput) {
  const email = input.email.trim().toLowerCase();
  const passwordHash = input.password ? await bcrypt.hash(input.password, 10) : null;
  return db.transaction(async (tx) => {
    try {
      const [user] = await tx
        .insert(users)
        .values({ email, name: input.name, role: input.role, passwordHash })
        .returning({ id: users.id, email: users.email, name: users.name, role: users.role });
      if (!user) throw new Error("insert returned no row");
      await recordAudit(tx, { actor, action: "user.create", objectType: "user", objectId: user.id, after: user });
      return user;
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DomainError("conflict", "user_exists", `A user with the email ${email} already exists.`);
      }
      throw error;
    }
  });
}

export type UpdateUserInput = { userId: string; role?: Role; disabled?: boolean; reason: string };

/** An admin cannot demote or disable themself, so the console always keeps an admin who can undo. */
export async function updateUser(db: Db, actor: Actor, input: UpdateUserInput) {
  if (actor.type === "user" && actor.id === input.userId) {
    throw new DomainError("forbidden", "cannot_change_self", "You cannot change your own role or access; ask another admin.");
  }
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(users).where(eq(users.id, input.userId)).for("update").limit(1);
    if (!before) throw new DomainError("not_found", "user_not_found", "That user does not exist.");
    const [after] = await tx
      .update(users)
      .set({ role: input.role ?? before.role, disabled: input.disabled ?? before.disabled, updatedAt: new Date() })
      .where(eq(users.id, input.userId))
      .returning();
    if (!after) throw new Error("update returned no row");
    await recordAudit(tx, {
      actor,
      action: "user.update",
      objectType: "user",
      objectId: after.id,
      reason: input.reason,
      before: { role: before.role, disabled: before.disabled },
      after: { role: after.role, disabled: after.disabled },
    });
    return { id: after.id, email: after.email, role: after.role, disabled: after.disabled };
  });
}
