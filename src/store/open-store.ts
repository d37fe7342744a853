import type { StoreLocation } from "../library/library-options.js";
import type { SkillStore } from "./skill-store.js";
import { SqliteStore } from "./sqlite/sqlite-store.js";

/** Opens an embedded store synchronously (so the sync API works at once). */
export function openSqliteStore(path: string): SkillStore {
  return new SqliteStore(path);
}

/**
 * Opens the store a location names. The PostgreSQL driver is loaded only when asked for,
 * so the embedded path never loads `pg`.
 */
export async function openStore(location: StoreLocation): Promise<SkillStore> {
  if (location.kind === "sqlite") return openSqliteStore(location.path);
  const { PostgresStore } = await import("./postgres/postgres-store.js");
  return PostgresStore.open(location.url);
}
