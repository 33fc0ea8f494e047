export { describeEffect } from "@/lib/promotion-effect";

export const statusVariant = { draft: "secondary", active: "success", paused: "warning", ended: "outline" } as const;
