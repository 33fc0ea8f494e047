import { invalidRequest } from "./errors";
import type { Params } from "./params";

export interface ListPage<T> {
  object: "list";
  data: T[];
  has_more: boolean;
  url: string;
}

/**
 * Stripe's cursor pagination over `items` given oldest first: pages are newest first, `limit`
 * 1..100 (default 10), `starting_after` continues after a cursor, `ending_before` returns the page
 * just before it.
 */
export function paginate<T extends { id?: string | null }>(items: T[], params: Params, url: string): ListPage<T> {
  const limit = params.integer("limit", { min: 1, max: 100 }) ?? 10;
  const startingAfter = params.string("starting_after");
  const endingBefore = params.string("ending_before");
  if (startingAfter !== undefined && endingBefore !== undefined)
    throw invalidRequest("You may only specify one of these parameters: ending_before, starting_after.", "ending_before");
  const newestFirst = [...items].reverse();
  if (startingAfter !== undefined) {
    const index = indexOf(newestFirst, startingAfter, "starting_after");
    const rest = newestFirst.slice(index + 1);
    return { object: "list", data: rest.slice(0, limit), has_more: rest.length > limit, url };
  }
  if (endingBefore !== undefined) {
    const index = indexOf(newestFirst, endingBefore, "ending_before");
    const before = newestFirst.slice(0, index);
    return { object: "list", data: before.slice(Math.max(before.length - limit, 0)), has_more: before.length > limit, url };
  }
  return { object: "list", data: newestFirst.slice(0, limit), has_more: newestFirst.length > limit, url };
}

function indexOf<T extends { id?: string | null }>(items: T[], id: string, param: string): number {
  const index = items.findIndex((item) => item.id === id);
  if (index === -1) throw invalidRequest(`No such object: '${id}'`, param, "resource_missing");
  return index;
}

/** Stripe's `created[gt|gte|lt|lte]` (or an exact `created`) filter. */
export function createdFilter(params: Params, key = "created"): (created: number) => boolean {
  if (!params.has(key)) return () => true;
  const exact = params.raw(key);
  if (typeof exact === "string") {
    const value = params.requiredInteger(key);
    return (created) => created === value;
  }
  const range = params.object(key);
  const gt = range?.integer("gt");
  const gte = range?.integer("gte");
  const lt = range?.integer("lt");
  const lte = range?.integer("lte");
  return (created) =>
    (gt === undefined || created > gt) &&
    (gte === undefined || created >= gte) &&
    (lt === undefined || created < lt) &&
    (lte === undefined || created <= lte);
}
