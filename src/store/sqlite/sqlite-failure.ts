import { SkillLibraryError, StoreUnavailableError } from "../../errors.js";

/** What to do about each SQLite failure a caller can meet. */
const ADVICE: Record<string, string> = {
  SQLITE_BUSY: "another connection held the file's write lock for over 10 s; retry",
  SQLITE_LOCKED: "another statement holds a lock on the table; retry",
  SQLITE_FULL: "the disk (or its quota) is full; free space and retry",
  SQLITE_READONLY: "the store is read-only (the file, its folder or the connection); open a writable copy",
  SQLITE_CANTOPEN: "the file or its folder cannot be opened; check the path and its permissions",
  SQLITE_IOERR: "the disk reported an I/O error; check the disk and retry",
  SQLITE_CORRUPT: "the file is damaged; restore it from a backup",
  SQLITE_NOTADB: "the file is not a SQLite database; give the path of a store file",
};

/**
 * SQLite's own failures (busy past the timeout, disk full, read-only, I/O, corruption) as a
 * `StoreUnavailableError` whose message says what happened and what to do; anything else
 * (the library's own errors among them) is returned as it is. A failed write is rolled back
 * whole, so nothing of it was written.
 */
export function storeFailure(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof SkillLibraryError || typeof code !== "string" || !code.startsWith("SQLITE_")) return error;
  const primary = code.replace(/^(SQLITE_[A-Z]+)_.*$/, "$1");
  const advice = ADVICE[primary] ?? "retry; if it keeps failing, check the store file";
  return new StoreUnavailableError(`the SQLite store failed (${code}: ${(error as Error).message}); ${advice}`, error);
}

/** Runs synchronous work, throwing SQLite's failures as `StoreUnavailableError` (see `storeFailure`). */
export function guarded<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw storeFailure(error);
  }
}
