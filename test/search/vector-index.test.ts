import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { VectorIndex } from "../../src/search/semantic/vector-index.js";
import type { Skill } from "../../src/skill/skill.js";

const DIMENSIONS = 6;

/** A stand-in skill: the vector index only reads `id`. */
function skill(id: string): Skill {
  return { id } as Skill;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += (a[i] as number) * (b[i] as number);
    na += (a[i] as number) ** 2;
    nb += (b[i] as number) ** 2;
  }
  return dot / Math.sqrt(na * nb);
}

/** The nearest by a sort of every vector: what the index must return. */
function bruteForce(vectors: Map<string, Float32Array>, query: Float32Array, limit: number, keep: (id: string) => boolean): string[] {
  return [...vectors]
    .filter(([id]) => keep(id))
    .map(([id, v]) => ({ id, score: cosine(v, query) }))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
    .slice(0, limit)
    .map((x) => x.id);
}

const vector = fc.array(fc.integer({ min: -50, max: 50 }), { minLength: DIMENSIONS, maxLength: DIMENSIONS })
  .filter((v) => v.some((x) => x !== 0))
  .map((v) => Float32Array.from(v));

/** Sets, replacements and deletes of a few ids, then a query. */
const scenario = fc.record({
  steps: fc.array(fc.oneof(
    fc.record({ set: fc.integer({ min: 0, max: 40 }), vector }),
    fc.record({ remove: fc.integer({ min: 0, max: 40 }) }),
  ), { maxLength: 120 }),
  query: vector,
  limit: fc.integer({ min: 1, max: 12 }),
});

describe("VectorIndex", () => {
  it("nearest() - equals a brute-force cosine ranking after any sets, replacements and deletes (property)", () => {
    fc.assert(fc.property(scenario, ({ steps, query, limit }) => {
      const index = new VectorIndex(DIMENSIONS);
      const truth = new Map<string, Float32Array>();
      for (const step of steps) {
        if ("set" in step) {
          index.set(`s${step.set}`, step.vector);
          truth.set(`s${step.set}`, step.vector);
        } else {
          index.delete(`s${step.remove}`);
          truth.delete(`s${step.remove}`);
        }
      }
      expect(index.size).toBe(truth.size);
      const even = (id: string) => Number(id.slice(1)) % 2 === 0;
      const ids = (skills: Skill[]) => skills.map((s) => s.id);
      // Scores may tie in float32 where they differ in float64; compare the scores' order.
      const scoresOf = (found: string[]) => found.map((id) => cosine(truth.get(id) as Float32Array, query).toFixed(5));
      expect(scoresOf(ids(index.nearest(query, limit, (id) => skill(id))))).toEqual(scoresOf(bruteForce(truth, query, limit, () => true)));
      expect(scoresOf(ids(index.nearest(query, limit, (id) => (even(id) ? skill(id) : undefined))))).toEqual(scoresOf(bruteForce(truth, query, limit, even)));
      const chosen = [...truth.keys()].filter(even).map(skill);
      expect(scoresOf(ids(index.nearestAmong(query, limit, chosen)))).toEqual(scoresOf(bruteForce(truth, query, limit, even)));
    }));
  });

  it("set() - refuses a vector of another size with a RangeError", () => {
    const index = new VectorIndex(3);
    expect(() => index.set("a", new Float32Array(4))).toThrow(RangeError);
    expect(index.size).toBe(0);
  });

  it("nearestAmong() - leaves out skills that have no vector", () => {
    const index = new VectorIndex(2);
    index.set("a", Float32Array.from([1, 0]));
    expect(index.nearestAmong(Float32Array.from([1, 0]), 5, [skill("a"), skill("b")]).map((s) => s.id)).toEqual(["a"]);
  });
});
