import type { Skill } from "../skill/skill.js";
import { FIELDS, type RankedDocument } from "./rank-candidates.js";

/** Term ids and back: the dictionary of a `SearchIndex`. */
export interface TermTable {
  /** A term's id, or -1. */
  termId(term: string): number;
  termName(id: number): string;
}

/** The per-field counts `IndexedSkill.countsAt` returns (read at once; the next call overwrites them). */
const SCRATCH_COUNTS = FIELDS.map(() => 0);

/**
 * A skill as the index keeps it: the skill itself, its distinct terms (ids, ascending) with
 * their counts per field, its field lengths, and the term ids of the positioned fields in order.
 */
export class IndexedSkill implements RankedDocument {
  constructor(
    readonly skill: Skill,
    private readonly index: TermTable,
    readonly terms: Int32Array,
    readonly fieldCounts: Uint16Array,
    readonly lengths: readonly number[],
    private readonly sequences: readonly Int32Array[],
  ) {}

  /** The same terms for a newer copy of the skill (its stats changed, not its content). */
  withSkill(skill: Skill): IndexedSkill {
    return new IndexedSkill(skill, this.index, this.terms, this.fieldCounts, this.lengths, this.sequences);
  }

  counts(term: string): ArrayLike<number> | undefined {
    const at = this.find(this.index.termId(term));
    return at < 0 ? undefined : this.countsAt(at);
  }

  /** The counts per field of the `at`-th distinct term, in an array the next call reuses. */
  countsAt(at: number): ArrayLike<number> {
    const counts = SCRATCH_COUNTS;
    for (let f = 0; f < counts.length; f++) counts[f] = this.fieldCounts[at * counts.length + f] as number;
    return counts;
  }

  forEachTerm(visit: (term: string, counts: ArrayLike<number>) => void): void {
    for (let at = 0; at < this.terms.length; at++) visit(this.index.termName(this.terms[at] as number), this.countsAt(at));
  }

  forEachLonger(prefix: string, visit: (term: string, counts: ArrayLike<number>) => void): void {
    for (let at = 0; at < this.terms.length; at++) {
      const term = this.index.termName(this.terms[at] as number);
      if (term.length > prefix.length && term.startsWith(prefix)) visit(term, this.countsAt(at));
    }
  }

  positions(p: number, term: string): readonly number[] | undefined {
    const id = this.index.termId(term);
    const sequence = this.sequences[p];
    if (id < 0 || !sequence) return undefined;
    let found: number[] | undefined;
    for (let i = 0; i < sequence.length; i++) if (sequence[i] === id) (found ??= []).push(i);
    return found;
  }

  private find(id: number): number {
    if (id < 0) return -1;
    let lo = 0;
    let hi = this.terms.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.terms[mid] as number;
      if (at === id) return mid;
      if (at < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
