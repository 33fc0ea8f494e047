import type { Role } from "@/db/schema";

export const demoPassword = "tally-demo";

export const demoUsers: { email: string; name: string; role: Role }[] = [
  { email: "support@tally.test", name: "Sam Support", role: "support" },
  { email: "product@tally.test", name: "Pat Product", role: "product" },
  { email: "finance@tally.test", name: "Fran Finance", role: "finance" },
  { email: "admin@tally.test", name: "Alex Admin", role: "admin" },
];
