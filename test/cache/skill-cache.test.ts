import { describe, expect, it } from "vitest";
import { SkillCache } from "../../src/cache/skill-cache.js";

const v = (n: number) => ({ n });

describe("SkillCache", () => {
  it("defaults to 100 entries and drops the least recently used, counting evictions", () => {
    const cache = new SkillCache<{ n: number }>();
    for (let i = 0; i < 100; i++) cache.set(`skill:${i}`, v(i));
    expect(cache.get("skill:0")).toEqual(v(0));
    cache.set("skill:100", v(100));
    expect(cache.get("skill:1")).toBeUndefined();
    expect(cache.get("skill:0")).toEqual(v(0));
    expect(cache.stats()).toEqual({ size: 100, hits: 2, misses: 1, evictions: 1 });
  });

  it("expires entries after their time to live", () => {
    let now = 1_000; // lru-cache reads a start time of 0 as "no TTL"
    const advance = (ms: number) => void (now += ms);
    const cache = new SkillCache<{ n: number }>({ max: 10, ttlMs: 1000, clock: { now: () => now } });
    cache.set("a", v(1));
    cache.set("b", v(2), { ttlMs: 100 });
    advance(500);
    expect(cache.get("a")).toEqual(v(1));
    expect(cache.get("b")).toBeUndefined();
    advance(600);
    expect(cache.get("a")).toBeUndefined();
  });

  it("invalidate() - drops exactly the keys a glob matches", () => {
    const cache = new SkillCache<{ n: number }>();
    for (const key of ["search:a", "search:b:c", "skill:search:x", "skill:a", "searchx"]) cache.set(key, v(1));
    expect(cache.invalidate("search:*")).toBe(2);
    expect(cache.get("skill:search:x")).toBeDefined();
    expect(cache.get("searchx")).toBeDefined();
    expect(cache.invalidate("skill:*:x")).toBe(1);
    expect(cache.invalidate("a.b(c)")).toBe(0);
    cache.clear();
    expect(cache.stats().size).toBe(0);
  });

  it("fill() - a read that began before an invalidation does not put the stale value back", () => {
    const cache = new SkillCache<{ n: number }>();
    const before = cache.beginFill();
    cache.delete("skill:a");
    expect(cache.fill(before, "skill:a", v(1))).toBe(false);
    expect(cache.get("skill:a")).toBeUndefined();
    expect(cache.fill(before, "skill:b", v(2))).toBe(true);

    const beforePattern = cache.beginFill();
    cache.invalidate("search:*");
    expect(cache.fill(beforePattern, "search:q", v(3))).toBe(false);
    expect(cache.fill(beforePattern, "skill:c", v(4))).toBe(true);

    const after = cache.beginFill();
    expect(cache.fill(after, "skill:a", v(5))).toBe(true);
  });

  it("fill() - refuses when more invalidations happened than it remembers", () => {
    const cache = new SkillCache<{ n: number }>();
    const token = cache.beginFill();
    for (let i = 0; i < 5000; i++) cache.delete(`other:${i}`);
    expect(cache.fill(token, "skill:a", v(1))).toBe(false);
  });

  it("rejects a nonsensical size", () => {
    expect(() => new SkillCache({ max: 0 })).toThrow(RangeError);
    expect(() => new SkillCache({ ttlMs: -1 })).toThrow(RangeError);
  });
});
