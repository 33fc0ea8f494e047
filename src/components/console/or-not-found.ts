import "server-only";
import { TRPCError } from "@trpc/server";
import { notFound } from "next/navigation";

/**
 * For a page showing one thing by id: a missing thing, or an id that cannot be one (a malformed
 * uuid), renders the not-found page with HTTP 404; any other failure is an error page.
 */
export async function orNotFound<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) notFound();
    throw error;
  }
}
