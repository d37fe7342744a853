import type { Skill } from "../skill/skill.js";
import type { StoreChange } from "../store/skill-store.js";
import { SkillCache, type CacheStats, type FillToken } from "./skill-cache.js";

/**
 * Most searches cached. Every content write clears them, and clearing an lru-cache costs time
 * in proportion to its max (it refills its arrays): at 110,000 that was about 1 ms on every
 * `addSkill`.
 */
const SEARCH_CACHE_MAX = 1000;

/** Tokens of a store read in progress, one per cache it may fill (see `SkillCache.fill`). */
export interface ReadToken {
  skills: FillToken;
  runnable: FillToken;
}

/**
 * The library's three caches and what each change drops from them:
 * - `skills`: skills by id, as `getSkill` returns them (content and stats);
 * - `searches`: the ids a search returned, by its arguments;
 * - `runnable`: skills as last read, for running them. A run changes a skill's stats, which
 *   drops it from `skills`, but not its code: the next run takes it from here instead of
 *   reading the store. Dropped on every content change.
 */
export class LibraryCaches {
  readonly skills: SkillCache<Skill>;
  readonly searches: SkillCache<{ ids: string[] }>;
  private readonly runnable: SkillCache<Skill>;

  constructor(options: { max: number; ttlMs: number }) {
    this.skills = new SkillCache(options);
    this.searches = new SkillCache({ ...options, max: Math.min(options.max, SEARCH_CACHE_MAX) });
    this.runnable = new SkillCache(options);
  }

  /** A skill to run, from either cache that holds it. */
  skillToRun(id: string): Skill | undefined {
    return this.skills.get(id) ?? this.runnable.get(id);
  }

  /** Starts a store read whose result `endRead` may cache. */
  beginRead(): ReadToken {
    return { skills: this.skills.beginFill(), runnable: this.runnable.beginFill() };
  }

  /** Caches what a read found, unless a change overtook the read. */
  endRead(token: ReadToken, id: string, skill: Skill): void {
    this.skills.fill(token.skills, id, skill);
    this.runnable.fill(token.runnable, id, skill);
  }

  /** These skills' content changed (or they were deleted). */
  contentChanged(ids: Iterable<string>): void {
    for (const id of ids) {
      this.skills.delete(id);
      this.runnable.delete(id);
    }
    this.searches.clear();
  }

  /** A skill's stats changed (a run was recorded): its code is still good to run. */
  statsChanged(id: string): void {
    this.skills.delete(id);
  }

  /** Drops exactly what another process or machine changed, as the store's feed reports it. */
  storeChanged(changes: readonly StoreChange[]): void {
    let content = false;
    for (const change of changes) {
      if ("all" in change) {
        this.skills.clear();
        this.runnable.clear();
        return this.searches.clear();
      }
      this.skills.delete(change.skillId);
      if (change.kind === "content") {
        this.runnable.delete(change.skillId);
        content = true;
      }
    }
    if (content) this.searches.clear();
  }

  /** Counters of the skills and searches caches together. */
  stats(): CacheStats {
    const skills = this.skills.stats();
    const searches = this.searches.stats();
    return {
      size: skills.size + searches.size,
      hits: skills.hits + searches.hits,
      misses: skills.misses + searches.misses,
      evictions: skills.evictions + searches.evictions,
    };
  }
}
