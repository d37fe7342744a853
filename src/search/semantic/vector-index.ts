import type { Skill } from "../../skill/skill.js";
import { TopScores } from "../top-scores.js";

/**
 * The current version's embedding of each skill, unit length, in memory: the nearest to a
 * query by cosine similarity, by a scan. The vectors sit in one flat `Float32Array`, a row per
 * skill, so the scan is a tight loop over contiguous memory (about 5× faster than a map of
 * separate arrays; see docs/ARCHITECTURE.md). A scan keeps every answer exact and the index
 * as fresh as the skills.
 */
export class VectorIndex {
  private readonly rowOf = new Map<string, number>();
  private readonly ids: string[] = [];
  private data: Float32Array;

  /** @param dimensions - the size of every vector the index holds. */
  constructor(readonly dimensions: number) {
    this.data = new Float32Array(64 * dimensions);
  }

  /** How many skills have a vector. */
  get size(): number {
    return this.ids.length;
  }

  /** Sets a skill's vector (it must have `dimensions` numbers). */
  set(id: string, vector: Float32Array): void {
    if (vector.length !== this.dimensions) throw new RangeError(`a vector of ${vector.length} numbers in an index of ${this.dimensions}`);
    let row = this.rowOf.get(id);
    if (row === undefined) {
      row = this.ids.length;
      if ((row + 1) * this.dimensions > this.data.length) {
        const grown = new Float32Array(this.data.length * 2);
        grown.set(this.data);
        this.data = grown;
      }
      this.ids.push(id);
      this.rowOf.set(id, row);
    }
    this.data.set(unit(vector), row * this.dimensions);
  }

  /** Drops a skill's vector (the last row moves into its place). */
  delete(id: string): void {
    const row = this.rowOf.get(id);
    if (row === undefined) return;
    const last = this.ids.length - 1;
    if (row !== last) {
      const moved = this.ids[last] as string;
      this.data.copyWithin(row * this.dimensions, last * this.dimensions, (last + 1) * this.dimensions);
      this.ids[row] = moved;
      this.rowOf.set(moved, row);
    }
    this.ids.pop();
    this.rowOf.delete(id);
  }

  /** The `limit` skills nearest to `query` that `accept` lets through (it returns the skill, or undefined to skip). */
  nearest(query: Float32Array, limit: number, accept: (id: string) => Skill | undefined): Skill[] {
    const q = unit(query);
    const { data, dimensions, ids } = this;
    const top = new TopScores(limit);
    const accepted = new Map<number, Skill>();
    for (let row = 0, at = 0; row < ids.length; row++, at += dimensions) {
      const dot = dotProduct(data, at, q, dimensions);
      if (top.full && dot <= top.threshold()) continue;
      const skill = accept(ids[row] as string);
      if (!skill) continue;
      accepted.set(row, skill);
      top.offer(row, dot);
    }
    return this.ranked(top, accepted);
  }

  /** The `limit` of `skills` nearest to `query` (those without a vector left out): for a few skills a filter chose. */
  nearestAmong(query: Float32Array, limit: number, skills: readonly Skill[]): Skill[] {
    const q = unit(query);
    const top = new TopScores(limit);
    const accepted = new Map<number, Skill>();
    for (const skill of skills) {
      const row = this.rowOf.get(skill.id);
      if (row === undefined) continue;
      const dot = dotProduct(this.data, row * this.dimensions, q, this.dimensions);
      if (top.full && dot <= top.threshold()) continue;
      accepted.set(row, skill);
      top.offer(row, dot);
    }
    return this.ranked(top, accepted);
  }

  private ranked(top: TopScores, accepted: ReadonlyMap<number, Skill>): Skill[] {
    const { ids } = this;
    return top
      .slots()
      .sort((a, b) => b.score - a.score || ((ids[a.slot] as string) < (ids[b.slot] as string) ? -1 : 1))
      .map(({ slot }) => accepted.get(slot) as Skill);
  }
}

/** The dot product of `data[at .. at + n)` and `q`, four sums at a time (independent adds pipeline). */
function dotProduct(data: Float32Array, at: number, q: Float32Array, n: number): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    a += (data[at + i] as number) * (q[i] as number);
    b += (data[at + i + 1] as number) * (q[i + 1] as number);
    c += (data[at + i + 2] as number) * (q[i + 2] as number);
    d += (data[at + i + 3] as number) * (q[i + 3] as number);
  }
  for (; i < n; i++) a += (data[at + i] as number) * (q[i] as number);
  return a + b + c + d;
}

function unit(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const x of vector) norm += x * x;
  norm = Math.sqrt(norm);
  return norm > 0 ? vector.map((x) => x / norm) : vector;
}
