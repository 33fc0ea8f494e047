import type Stripe from "stripe";
import type { Clock } from "@/server/clock";
import { fromWebRequest } from "../web-exchange";
import { serveApiRequest } from "./serve-api";

/** Tests: one answer of /api/v1, in process (the same code the catch-all route runs). */
export type ApiAnswer = { status: number; headers: Record<string, string>; json: unknown; text: string };

export type TestApi = {
  call(method: string, path: string, options?: { key?: string | null; body?: unknown; headers?: Record<string, string> }): Promise<ApiAnswer>;
};

export function testApi(defaults: { key: string; clock?: Clock; stripe?: Stripe | null }): TestApi {
  return {
    async call(method, path, options = {}) {
      const key = options.key === undefined ? defaults.key : options.key;
      const headers: Record<string, string> = { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(options.body !== undefined ? { "content-type": "application/json" } : {}), ...options.headers };
      const body = options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body);
      const request = new Request(`http://tally.test/api/v1${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
      const answer = await serveApiRequest(fromWebRequest(request), { clock: defaults.clock, stripe: async () => defaults.stripe ?? null });
      let json: unknown = null;
      try {
        json = JSON.parse(answer.body);
      } catch {
        json = null;
      }
      return { status: answer.status, headers: answer.headers, json, text: answer.body };
    },
  };
}
