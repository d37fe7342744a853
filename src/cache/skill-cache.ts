import { LRUCache } from "lru-cache";

/** Options of a `SkillCache`. */
export interface SkillCacheOptions {
  /** Most entries kept; the least recently used go first. @default 100 */
  max?: number;
  /** How long an entry lives, in ms. @default 3_600_000 (1 hour) */
  ttlMs?: number;
  /** The clock the time to live is measured on (tests and simulations). @default performance */
  clock?: { now(): number };
}

/** Counters of a cache since it was made. */
export interface CacheStats {
  size: number;
  hits: number;
  misses: number;
  /** Entries dropped because the cache was full or their time was up. */
  evictions: number;
}

/** A read in progress: the cache generation it started at (see `SkillCache.fill`). */
export type FillToken = number;

interface Invalidation {
  generation: number;
  key?: string;
  pattern?: RegExp;
}

/** How many recent invalidations are remembered for the stale-fill guard. */
const INVALIDATION_MEMORY = 1024;

/**
 * An LRU cache with a time to live and glob invalidation (`"search:*"`), over `lru-cache`.
 * It also guards the classic race: a read that began before a write must not put the old
 * value back after the write invalidated it; such a read takes a `beginFill()` token
 * first and stores through `fill()`, which refuses values that an invalidation overtook.
 *
 * @example
 * const cache = new SkillCache<Skill>({ max: 100, ttlMs: 3_600_000 });
 * cache.set("skill:a", skill);
 * cache.invalidate("search:*");
 */
export class SkillCache<V extends object = object> {
  private readonly lru: LRUCache<string, V>;
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  private generation = 0;
  private readonly invalidations: Invalidation[] = [];

  constructor(options: SkillCacheOptions = {}) {
    const max = options.max ?? 100;
    const ttl = options.ttlMs ?? 3_600_000;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`cache max must be a positive integer, got ${max}`);
    if (!(ttl > 0)) throw new RangeError(`cache ttlMs must be a positive number of ms, got ${ttl}`);
    this.lru = new LRUCache<string, V>({
      max,
      ttl,
      ...(options.clock ? { perf: options.clock, ttlResolution: 0 } : {}),
      dispose: (_value, _key, reason) => {
        if (reason === "evict" || reason === "expire") this.evictions++;
      },
    });
  }

  /** The value, or undefined (a miss) when absent or expired. */
  get(key: string): V | undefined {
    const value = this.lru.get(key);
    if (value === undefined) this.misses++;
    else this.hits++;
    return value;
  }

  /** Stores a value; `ttlMs` overrides the cache's time to live for this entry. */
  set(key: string, value: V, options: { ttlMs?: number } = {}): void {
    this.lru.set(key, value, options.ttlMs === undefined ? undefined : { ttl: options.ttlMs });
  }

  /** Drops one entry. True when it was there. */
  delete(key: string): boolean {
    this.remember({ generation: ++this.generation, key });
    return this.lru.delete(key);
  }

  /** Drops every entry whose key matches a glob with `*` wildcards. Returns how many went. */
  invalidate(pattern: string): number {
    const regex = globToRegExp(pattern);
    this.remember({ generation: ++this.generation, pattern: regex });
    let dropped = 0;
    for (const key of this.lru.keys()) {
      if (regex.test(key) && this.lru.delete(key)) dropped++;
    }
    return dropped;
  }

  /** Drops everything. */
  clear(): void {
    this.remember({ generation: ++this.generation, pattern: /^/ });
    // lru-cache's clear() costs time in proportion to its max, even when it holds nothing.
    if (this.lru.size > 0) this.lru.clear();
  }

  /** Size and counters. */
  stats(): CacheStats {
    return { size: this.lru.size, hits: this.hits, misses: this.misses, evictions: this.evictions };
  }

  /** Marks the start of a read whose result will be stored with `fill()`. */
  beginFill(): FillToken {
    return this.generation;
  }

  /**
   * Stores a value read since `token`, unless an invalidation of this key came in between
   * (then the value may be stale and is not stored). Returns whether it was stored.
   */
  fill(token: FillToken, key: string, value: V, options: { ttlMs?: number } = {}): boolean {
    if (token !== this.generation) {
      const oldest = this.invalidations[0];
      if (!oldest || oldest.generation > token + 1) return false;
      for (let i = this.invalidations.length - 1; i >= 0; i--) {
        const inv = this.invalidations[i] as Invalidation;
        if (inv.generation <= token) break;
        if (inv.key === key || inv.pattern?.test(key)) return false;
      }
    }
    this.set(key, value, options);
    return true;
  }

  private remember(invalidation: Invalidation): void {
    this.invalidations.push(invalidation);
    // Trimmed once it holds twice the memory, not on every push: shifting the array each time
    // cost a 10k-skill batch about 45 ms of dropped ids.
    if (this.invalidations.length >= 2 * INVALIDATION_MEMORY) this.invalidations.splice(0, this.invalidations.length - INVALIDATION_MEMORY);
  }
}

function globToRegExp(pattern: string): RegExp {
  const source = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*");
  return new RegExp(`^${source}$`);
}
