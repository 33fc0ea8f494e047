import { inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customers } from "@/db/schema";
import { listUnknownSubjects, type UnknownSubject } from "./attach-unknown-events";

export type UnknownSubjectForReview = UnknownSubject & {
  /** The customer created since with this external id, to whom the events can now be attached; null if none yet. */
  customer: { id: string; name: string } | null;
};

/** Unknown subjects (most events first) with the customer each could be attached to, if one exists now. */
export async function listUnknownSubjectsForReview(db: Db, options: { limit?: number } = {}): Promise<UnknownSubjectForReview[]> {
  const subjects = await listUnknownSubjects(db, options);
  if (subjects.length === 0) return [];
  const matches = await db
    .select({ id: customers.id, name: customers.name, externalId: customers.externalId })
    .from(customers)
    .where(inArray(customers.externalId, subjects.map((each) => each.subject)));
  const byExternalId = new Map(matches.map((match) => [match.externalId, { id: match.id, name: match.name }]));
  return subjects.map((subject) => ({ ...subject, customer: byExternalId.get(subject.subject) ?? null }));
}
