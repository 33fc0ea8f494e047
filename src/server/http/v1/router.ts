import type { AnyOperation, HttpMethod } from "./operation";

type CompiledRoute = { segments: string[]; operations: Map<string, AnyOperation> };
export type RouteMatch = { kind: "found"; operation: AnyOperation; params: Record<string, string> } | { kind: "method_not_allowed"; allowed: HttpMethod[] } | { kind: "not_found" } | { kind: "bad_path" };

export const apiBasePath = "/api/v1";

/** Matches `/api/v1/...` paths against the operations' templates (`/customers/{customer}`); literal segments win over parameters. */
export function createRouter(operations: readonly AnyOperation[]) {
  const routes: CompiledRoute[] = [];
  for (const operation of operations) {
    const segments = operation.path.split("/").filter(Boolean);
    let route = routes.find((candidate) => candidate.segments.join("/") === segments.join("/"));
    if (!route) {
      route = { segments, operations: new Map() };
      routes.push(route);
    }
    if (route.operations.has(operation.method)) throw new Error(`two operations for ${operation.method} ${operation.path}`);
    route.operations.set(operation.method, operation);
  }
  // Fewer parameters first: `/customers/search` would beat `/customers/{customer}`.
  routes.sort((a, b) => parameterCount(a) - parameterCount(b));

  return function match(method: string, pathname: string): RouteMatch {
    if (!pathname.startsWith(apiBasePath)) return { kind: "not_found" };
    let parts: string[];
    try {
      parts = pathname.slice(apiBasePath.length).split("/").filter(Boolean).map(decodeURIComponent);
    } catch {
      // Percent-encoding that is not UTF-8 (e.g. an unpaired surrogate as %ED%A0%80).
      return { kind: "bad_path" };
    }
    for (const route of routes) {
      if (route.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let matched = true;
      for (let index = 0; index < parts.length; index++) {
        const segment = route.segments[index]!;
        const part = parts[index]!;
        if (segment.startsWith("{")) params[segment.slice(1, -1)] = part;
        else if (segment !== part) {
          matched = false;
          break;
        }
      }
      if (!matched) continue;
      const operation = route.operations.get(method.toUpperCase());
      if (!operation) return { kind: "method_not_allowed", allowed: [...route.operations.keys()] as HttpMethod[] };
      return { kind: "found", operation, params };
    }
    return { kind: "not_found" };
  };
}

function parameterCount(route: CompiledRoute): number {
  return route.segments.filter((segment) => segment.startsWith("{")).length;
}
