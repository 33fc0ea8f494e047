// Kept free of imports so client components can use the list of roles.
export const roles = ["support", "product", "finance", "admin"] as const;
export type Role = (typeof roles)[number];
