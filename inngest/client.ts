import { Inngest } from "inngest";

/**
 * The Inngest client. Without INNGEST_EVENT_KEY (development, tests, CI) nothing depends on an
 * Inngest server: every job also runs with `npm run job -- <name>`, and the loops that must keep
 * up within seconds run as workers inside the server process.
 */
export const inngest = new Inngest({ id: "tally" });
