/**
 * Parses Stripe's form encoding (`a[b][c]=1`, `items[0][price]=x`, `expand[]=y`) into nested
 * values, the way Stripe's API reads the bodies and query strings the SDK sends.
 */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormObject = { [key: string]: FormValue };

const keysMax = 5_000;
const depthMax = 12;

export class FormError extends Error {}

export function parseForm(encoded: string): FormObject {
  const root: FormObject = {};
  if (encoded.length === 0) return root;
  const pairs = encoded.split("&");
  if (pairs.length > keysMax) throw new FormError(`Too many parameters (more than ${keysMax}).`);
  for (const pair of pairs) {
    if (pair === "") continue;
    const separator = pair.indexOf("=");
    const rawKey = separator === -1 ? pair : pair.slice(0, separator);
    const rawValue = separator === -1 ? "" : pair.slice(separator + 1);
    const key = decodeComponent(rawKey);
    const value = decodeComponent(rawValue);
    assign(root, splitKey(key), value);
  }
  return arraysFromIndexedObjects(root) as FormObject;
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    throw new FormError(`Invalid URL encoding in '${text.slice(0, 100)}'.`);
  }
}

function splitKey(key: string): string[] {
  const bracket = key.indexOf("[");
  if (bracket <= 0) return [key];
  const parts = [key.slice(0, bracket)];
  const rest = key.slice(bracket);
  const pattern = /\[([^\]]*)\]/g;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = pattern.exec(rest)) !== null) {
    if (match.index !== consumed) throw new FormError(`Invalid parameter name '${key}'.`);
    parts.push(match[1] ?? "");
    consumed = match.index + match[0].length;
  }
  if (consumed !== rest.length) throw new FormError(`Invalid parameter name '${key}'.`);
  if (parts.length > depthMax) throw new FormError(`Parameter '${key}' is nested too deeply.`);
  return parts;
}

/** Builds objects only; `[]` appends with a fresh numeric key, and numeric-keyed objects become arrays at the end. */
function assign(target: FormObject, path: string[], value: string): void {
  let node: FormObject = target;
  for (let index = 0; index < path.length; index += 1) {
    let part = path[index] ?? "";
    if (part === "") part = String(Object.keys(node).length);
    if (index === path.length - 1) {
      node[part] = value;
      return;
    }
    const next = node[part];
    if (next === undefined || typeof next === "string") {
      const created: FormObject = {};
      node[part] = created;
      node = created;
    } else {
      node = next as FormObject;
    }
  }
}

function arraysFromIndexedObjects(value: FormValue): FormValue {
  if (typeof value === "string" || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  for (const key of keys) value[key] = arraysFromIndexedObjects(value[key] as FormValue);
  const numeric = keys.length > 0 && keys.every((key) => /^\d+$/.test(key));
  if (!numeric) return value;
  return keys
    .map((key) => [Number(key), value[key] as FormValue] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, item]) => item);
}
