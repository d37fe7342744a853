/**
 * Sets `record[key] = value` as an own, enumerable property, also for keys such as
 * `"__proto__"` that a plain assignment would treat specially. Skill metadata keys and
 * file paths come from untrusted folders.
 *
 * @example
 * setOwn(metadata, "__proto__", "a plain key"); // Object.keys(metadata) → ["__proto__"]
 */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}
