import { createTRPCRouter } from "../../trpc";
import { create } from "./create";
import { generateCodes } from "./generate-codes";
import { get } from "./get";
import { list } from "./list";
import { redeem } from "./redeem";
import { redemptions } from "./redemptions";
import { setStatus } from "./set-status";
import { update } from "./update";

export const promotionRouter = createTRPCRouter({ list, get, redemptions, create, update, setStatus, generateCodes, redeem });
