import { z } from "zod";

/** Publishing or archiving changes what customers pay: the console asks why. */
export const requiredReason = z.string().trim().min(3, "Say why (at least 3 characters).").max(500);
export const optionalReason = z.string().trim().max(500).optional();
