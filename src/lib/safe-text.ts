/*
 * Text PostgreSQL can store, checked once at every boundary (HTTP bodies and paths, tRPC
 * inputs, event data) instead of field by field. PostgreSQL refuses two things JavaScript
 * strings may hold: the NUL character (U+0000, in `text` and in `jsonb`) and lone UTF-16
 * surrogates (JSON escapes like "\ud800" that pair with nothing; the driver would turn them
 * into U+FFFD, silently changing the value, and `jsonb` refuses them). Left to the database,
 * either one fails the whole statement with a 500; refused here, it is a 400 with a code.
 */

/** The problem with a value, and where (a path of keys and indexes), or null when it is fine. */
export type UnsafeTextProblem = { kind: "nul" | "lone_surrogate" | "too_deep"; path: (string | number)[] };

type WellFormed = { isWellFormed(): boolean };

/** Whether PostgreSQL can store `text` unchanged. */
export function isSafeText(text: string): boolean {
  return !text.includes("\u0000") && (text as unknown as WellFormed).isWellFormed();
}

export function unsafeTextKind(text: string): UnsafeTextProblem["kind"] | null {
  if (text.includes("\u0000")) return "nul";
  if (!(text as unknown as WellFormed).isWellFormed()) return "lone_surrogate";
  return null;
}

/**
 * The first string or object key in `value` (any JSON-like value) that PostgreSQL cannot store,
 * or an object/array nesting deeper than `depthMax`. Iterative, so a value nested 100,000 deep
 * costs a bounded walk and never the stack. Visits at most `nodesMax` values (then stops: the
 * caller bounds sizes elsewhere).
 */
export function findUnsafeText(value: unknown, options: { depthMax: number; nodesMax?: number }): UnsafeTextProblem | null {
  const nodesMax = options.nodesMax ?? 1_000_000;
  const stack: { value: unknown; depth: number; path: (string | number)[] }[] = [{ value, depth: 0, path: [] }];
  for (let visited = 0; stack.length > 0 && visited < nodesMax; visited++) {
    const item = stack.pop()!;
    const current = item.value;
    if (typeof current === "string") {
      const kind = unsafeTextKind(current);
      if (kind) return { kind, path: item.path };
      continue;
    }
    if (typeof current !== "object" || current === null) continue;
    if (item.depth >= options.depthMax) return { kind: "too_deep", path: item.path };
    if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index--) stack.push({ value: current[index], depth: item.depth + 1, path: [...item.path, index] });
      continue;
    }
    for (const key of Object.keys(current)) {
      const kind = unsafeTextKind(key);
      if (kind) return { kind, path: [...item.path, key] };
      stack.push({ value: (current as Record<string, unknown>)[key], depth: item.depth + 1, path: [...item.path, key] });
    }
  }
  return null;
}

/** A person-readable sentence for a problem found by findUnsafeText, naming where it is. */
export function describeUnsafeText(problem: UnsafeTextProblem, what = "input", depthMax?: number): string {
  const where = problem.path.length === 0 ? what : `${what}.${problem.path.join(".")}`;
  switch (problem.kind) {
    case "nul":
      return `${where} contains a NUL character (\\u0000), which cannot be stored; remove it.`;
    case "lone_surrogate":
      return `${where} contains an unpaired UTF-16 surrogate (e.g. \\ud800), which is not valid Unicode; send well-formed UTF-8.`;
    case "too_deep":
      return `${where} is nested too deeply${depthMax === undefined ? "" : ` (at most ${depthMax} levels)`}; flatten it.`;
  }
}

/** A zod refinement message for strings: `z.string().refine(isSafeText, safeTextMessage)`. */
export const safeTextMessage = "must not contain NUL characters (\\u0000) or unpaired UTF-16 surrogates";
