import { z } from "zod";

/** Why a person made a change: required for anything that moves money or access; kept in the audit log. */
export const reasonSchema = z.string().trim().min(3, "Say why (at least 3 characters).").max(500, "Keep the reason under 500 characters.");
