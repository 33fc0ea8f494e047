import type { Engine } from "./engine";
import type { Params } from "./params";

export interface ApiRequest {
  engine: Engine;
  params: Params;
  pathParams: Record<string, string>;
}

export type Method = "GET" | "POST" | "DELETE";

export interface Route {
  method: Method;
  path: string;
  pattern: RegExp;
  names: string[];
  handle: (request: ApiRequest) => unknown;
}

export function route(method: Method, path: string, handle: (request: ApiRequest) => unknown): Route {
  const names: string[] = [];
  const source = path
    .split("/")
    .map((segment) => {
      if (!segment.startsWith(":")) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(segment.slice(1));
      return "([^/]+)";
    })
    .join("/");
  return { method, path, pattern: new RegExp(`^${source}$`), names, handle };
}

export function matchRoute(routes: Route[], method: string, path: string): { route: Route; pathParams: Record<string, string> } | undefined {
  for (const candidate of routes) {
    if (candidate.method !== method) continue;
    const match = candidate.pattern.exec(path);
    if (match === null) continue;
    const pathParams: Record<string, string> = {};
    candidate.names.forEach((name, index) => {
      pathParams[name] = decodeURIComponent(match[index + 1] ?? "");
    });
    return { route: candidate, pathParams };
  }
  return undefined;
}

export function pathParam(request: ApiRequest, name: string): string {
  const value = request.pathParams[name];
  if (value === undefined) throw new Error(`route has no :${name}`);
  return value;
}
