import type { Skill } from "../../skill/skill.js";

/**
 * The current version's embedding of each skill, unit length, in memory: the nearest to a
 * query by cosine similarity, by a scan (a few milliseconds for 10k skills of 384 dimensions;
 * a scan keeps every answer exact and the index as fresh as the skills).
 */
export class VectorIndex {
  private readonly vectors = new Map<string, Float32Array>();

  /** How many skills have a vector. */
  get size(): number {
    return this.vectors.size;
  }

  set(id: string, vector: Float32Array): void {
    this.vectors.set(id, unit(vector));
  }

  delete(id: string): void {
    this.vectors.delete(id);
  }

  /** The `limit` skills nearest to `query` that `accept` lets through (it returns the skill, or undefined to skip). */
  nearest(query: Float32Array, limit: number, accept: (id: string) => Skill | undefined): Skill[] {
    const q = unit(query);
    const found: { skill: Skill; score: number }[] = [];
    for (const [id, vector] of this.vectors) {
      let dot = 0;
      for (let i = 0; i < vector.length; i++) dot += (vector[i] as number) * (q[i] as number);
      if (found.length >= limit && dot <= (found[found.length - 1] as { score: number }).score) continue;
      const skill = accept(id);
      if (!skill) continue;
      found.push({ skill, score: dot });
      found.sort((a, b) => b.score - a.score || (a.skill.id < b.skill.id ? -1 : 1));
      if (found.length > limit) found.pop();
    }
    return found.map((f) => f.skill);
  }
}

function unit(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const x of vector) norm += x * x;
  norm = Math.sqrt(norm);
  return norm > 0 ? vector.map((x) => x / norm) : vector;
}
