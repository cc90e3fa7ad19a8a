// Plain JSON data as Kubernetes objects are held in memory: the result of decoding
// YAML, with no class instances, so objects can be cloned, compared and re-encoded freely.

export type JSONValue = null | boolean | number | string | JSONValue[] | JSONObject;
export interface JSONObject {
  [key: string]: JSONValue;
}

export function isJSONObject(v: unknown): v is JSONObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object at `obj[key]`, or undefined when absent or not an object. */
export function childObject(obj: JSONObject | undefined, key: string): JSONObject | undefined {
  const v = obj?.[key];
  return isJSONObject(v) ? v : undefined;
}

/** The array at `obj[key]`, or undefined when absent or not an array. */
export function childArray(obj: JSONObject | undefined, key: string): JSONValue[] | undefined {
  const v = obj?.[key];
  return Array.isArray(v) ? v : undefined;
}

/** The string at `obj[key]`, or "" when absent or not a string. */
export function childString(obj: JSONObject | undefined, key: string): string {
  const v = obj?.[key];
  return typeof v === 'string' ? v : '';
}

/** Follows `path` through nested objects; undefined as soon as a step is missing. */
export function objectAt(root: JSONObject, path: readonly string[]): JSONObject | undefined {
  let cur: JSONObject | undefined = root;
  for (const key of path) {
    cur = childObject(cur, key);
    if (!cur) return undefined;
  }
  return cur;
}

/** String-valued entries of a map such as labels or a selector. */
export function stringMap(v: JSONValue | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isJSONObject(v)) return out;
  for (const [k, val] of Object.entries(v)) {
    if (typeof val === 'string') out[k] = val;
  }
  return out;
}

export function deepCopy<T extends JSONValue>(v: T): T {
  return structuredClone(v);
}
