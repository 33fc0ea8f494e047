import { createTRPCRouter } from "../../trpc";
import { attachUnknown } from "./attach-unknown";
import { stats } from "./stats";
import { unknownSubjects } from "./unknown-subjects";
import { unknownSubjectsView } from "./unknown-subjects-view";
import { usage } from "./usage";
import { usageCost } from "./usage-cost";

export const meteringRouter = createTRPCRouter({ stats, unknownSubjects, unknownSubjectsView, attachUnknown, usage, usageCost });
