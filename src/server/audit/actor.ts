import type { ActorType } from "@/db/schema";

/** Who did something: a signed-in person, an API key, or Tally itself (a job, a webhook). */
export type Actor = { type: ActorType; id: string; label: string };

export const systemActor = (name: string): Actor => ({ type: "system", id: name, label: name });
