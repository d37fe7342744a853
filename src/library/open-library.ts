import { openSqliteStore, openStore } from "../store/open-store.js";
import { resolveOptions, type SkillLibraryOptions } from "./library-options.js";
import { SkillLibrary } from "./skill-library.js";

let shared: SkillLibrary | undefined;

/**
 * The process-wide shared library: the same object on every call (options count on the
 * first call only). An embedded store opens at once, so the sync methods work immediately;
 * a PostgreSQL store connects on the first awaited call. After `close()` the next call
 * opens a new one.
 *
 * @example
 * const library = getSkillLibrary();
 * const skill = await library.getSkill("nav_login_generic");
 */
export function getSkillLibrary(options?: SkillLibraryOptions): SkillLibrary {
  if (shared && !shared.isClosed) return shared;
  const resolved = resolveOptions(options);
  const store = resolved.store.kind === "sqlite" ? openSqliteStore(resolved.store.path) : openStore(resolved.store);
  shared = new SkillLibrary(store, resolved);
  return shared;
}

/**
 * A new, independent library with its own connections and cache.
 *
 * @example
 * const library = await openSkillLibrary({ store: ":memory:" });
 * await library.addSkill({ id: "hello", name: "Hello", description: "Says hello", code: "async () => 'hi'" });
 * await library.close();
 */
export async function openSkillLibrary(options?: SkillLibraryOptions): Promise<SkillLibrary> {
  const resolved = resolveOptions(options);
  return new SkillLibrary(await openStore(resolved.store), resolved);
}
