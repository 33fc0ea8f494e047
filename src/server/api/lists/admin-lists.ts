import { z } from "zod";
import { apiKeyScopes } from "@/db/schema";
import { roles } from "@/db/schema/roles";
import { apiKeySortKeys, apiKeyStatuses, listApiKeysView, type ApiKeyRow } from "@/server/api-keys/list-api-keys-view";
import type { ListedUser } from "@/server/users/list-users";
import { listUsersView, userSortKeys, userStatuses } from "@/server/users/list-users-view";
import type { ListExport } from "./export-list";

/** URL view of the console's users: `q` is part of a name or email. */
export const usersView = z.object({
  search: z.string().trim().max(200).optional(),
  role: z.enum(roles).optional(),
  status: z.enum(userStatuses).optional(),
  sort: z.enum(userSortKeys).optional(),
  direction: z.enum(["asc", "desc"]).optional(),
  cursor: z.string().max(1000).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});

export const usersExport: ListExport<z.infer<typeof usersView>, ListedUser> = {
  permission: "users.manage",
  filename: "users",
  schema: usersView,
  list: listUsersView,
  columns: [
    { label: "Email", value: (row) => row.email },
    { label: "Name", value: (row) => row.name },
    { label: "Role", value: (row) => row.role },
    { label: "Status", value: (row) => (row.disabled ? "disabled" : "active") },
    { label: "Created", value: (row) => row.createdAt },
  ],
};

/** URL view of the API keys: `q` is part of a name or the start of a prefix. */
export const apiKeysView = z.object({
  search: z.string().trim().max(200).optional(),
  status: z.enum(apiKeyStatuses).optional(),
  scope: z.enum(apiKeyScopes).optional(),
  sort: z.enum(apiKeySortKeys).optional(),
  direction: z.enum(["asc", "desc"]).optional(),
  cursor: z.string().max(1000).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});

export const apiKeysExport: ListExport<z.infer<typeof apiKeysView>, ApiKeyRow> = {
  permission: "apiKeys.manage",
  filename: "api-keys",
  schema: apiKeysView,
  list: listApiKeysView,
  columns: [
    { label: "Name", value: (row) => row.name },
    { label: "Prefix", value: (row) => row.prefix },
    { label: "Scopes", value: (row) => row.scopes.join(" ") },
    { label: "Created", value: (row) => row.createdAt },
    { label: "Created by", value: (row) => row.createdByLabel },
    { label: "Revoked", value: (row) => row.revokedAt },
    { label: "Revoked by", value: (row) => row.revokedByLabel },
  ],
};
