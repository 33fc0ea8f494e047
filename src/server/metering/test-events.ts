import crypto from "node:crypto";
import { rollUpAll } from "./roll-up-all";

/** A valid CloudEvent for tests; override any attribute (undefined removes it). */
export function cloudEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const event: Record<string, unknown> = {
    specversion: "1.0",
    id: crypto.randomUUID(),
    source: "test/edge",
    type: "api.request",
    subject: "cus_test",
    time: new Date().toISOString(),
    data: { tokens: 10, model: "small" },
    ...overrides,
  };
  for (const [key, value] of Object.entries(event)) if (value === undefined) delete event[key];
  return event;
}

/** Rolls up until every stored event is behind the cursor (see rollUpAll). */
export const rollUpEverything = rollUpAll;
