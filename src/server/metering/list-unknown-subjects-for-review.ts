import type { Db } from "@/db/client";
import { listUnknownSubjectsView } from "./list-unknown-subjects-view";

export type UnknownSubject = { subject: string; events: number; firstOccurredAt: Date; lastOccurredAt: Date };

export type UnknownSubjectForReview = UnknownSubject & {
  /** The customer created since with this external id, to whom the events can now be attached; null if none yet. */
  customer: { id: string; name: string } | null;
};

/** Unknown subjects (most events first) with the customer each could be attached to, if one exists now: the full list's first page. */
export async function listUnknownSubjectsForReview(db: Db, options: { limit?: number } = {}): Promise<UnknownSubjectForReview[]> {
  return (await listUnknownSubjectsView(db, { limit: Math.min(Math.max(options.limit ?? 50, 1), 500) })).items;
}
