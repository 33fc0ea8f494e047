import { createTRPCRouter } from "../../trpc";
import { me } from "./me";

export const sessionRouter = createTRPCRouter({ me });
