import type { Db } from "@/db/client";
import type { Clock } from "@/server/clock";
import { seededRandom } from "@/server/seed/random";
import { ingestEvents } from "./ingest-events";
import { rollUpAll } from "./roll-up-all";

const source = "seed/unknown-subjects";
const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
/** Subjects the product's sender uses before (or instead of) syncing the customer. */
const subjects = ["usr_9001_pending-signup", "org_9002_trial-import", "usr_legacy_4411"] as const;
const historyDays = 14;

/**
 * A few events from subjects that are no customer, so Ingestion → Unknown subjects has
 * something to show (the month of customers' usage is the invoicing seed's). Ids are fixed per
 * subject and day, and only days that ended before the current hour are sent: running it
 * again changes nothing.
 */
export async function seedDemoUnknownSubjects(db: Db, clock: Clock): Promise<string> {
  const untilMs = Math.floor(clock.now().getTime() / dayMs) * dayMs;
  const events = subjects.flatMap((subject, subjectIndex) => {
    const random = seededRandom(9_000 + subjectIndex);
    return Array.from({ length: historyDays }, (_, day) => day)
      .filter(() => random.chance(0.5))
      .map((day) => {
        const dayStartMs = untilMs - (historyDays - day) * dayMs;
        return {
          specversion: "1.0",
          source,
          id: `${subject}/${new Date(dayStartMs).toISOString().slice(0, 10)}`,
          type: "agent.llm.completion",
          subject,
          time: new Date(dayStartMs + random.int(8, 20) * hourMs).toISOString(),
          data: { model: "sonnet", tokens: random.int(1, 20) * 1_000, kind: "fresh" },
        };
      });
  });
  const { accepted } = await ingestEvents(db, events, { clock });
  await rollUpAll(db, { timeoutMs: 300_000 });
  return `${accepted} new events from ${subjects.length} unknown subjects`;
}
