import type { Skill } from "../skill/skill.js";
import type { SearchCandidate } from "../store/skill-store.js";
import { analyze } from "./analyzer.js";
import type { QueryWord, SearchPlan } from "./prepare-query.js";
import type { Vocabulary } from "./vocabulary.js";

/**
 * The reliability prior of a skill: the mean of its success rate under a uniform prior,
 * (successes + 1) / (runs + 2). A never-run skill gets 0.5 (average, not failed), one good
 * run 0.67, a hundred good runs 0.99, and a skill that keeps failing sinks towards 0.
 */
export function reliability(skill: Skill): number {
  return (skill.stats.successes + 1) / (skill.stats.executions + 2);
}

/** How much reliability may move a result: enough to break a tie, never to bury a new skill. */
const RELIABILITY_WEIGHT = 0.06;

/** The fields of a skill the ranker reads, in the order every per-field array uses. */
export type Field = "name" | "description" | "tags" | "category" | "instructions";
export const FIELDS: readonly Field[] = ["name", "description", "tags", "category", "instructions"];

/** BM25F field weights: a term in a skill's name says most about what the skill is for. */
export const FIELD_WEIGHTS: Readonly<Record<Field, number>> = { name: 3, tags: 2, description: 1, category: 1, instructions: 0.4 };
/** BM25F length normalisation per field. */
export const LENGTH_NORMALISATION: Readonly<Record<Field, number>> = { name: 0.4, tags: 0.3, description: 0.6, category: 0, instructions: 0.75 };
/** BM25 term-frequency saturation. */
const K1 = 1.2;
/** Weight of a match of a longer term by prefix ("log" → "login") against the term itself. */
export const PREFIX_WEIGHT = 0.7;
/** Least share of the score a skill keeps when it matches few of the query's words. */
export const COVERAGE_FLOOR = 0.5;
/** Bonus per pair of neighbouring query words found next to each other in a field. */
const PHRASE_BONUS = 0.12;
/** Bonus for a name all of whose terms the query matched (scaled by the share matched). */
const NAME_BONUS = 0.25;

/** Fields whose term positions are kept (for the phrase and name bonuses). */
export const POSITIONED: readonly Field[] = ["name", "description", "tags"];

/** Longest part of a skill's instructions the ranker reads (the store indexes them whole). */
export const MAX_INSTRUCTIONS_CHARS = 32_768;

/**
 * A skill as the ranker reads it: its index terms with their count per field, the length of
 * each field, and term positions in the `POSITIONED` fields. Two kinds exist: one made from a
 * candidate's text (below) and one kept by the in-memory `SearchIndex`.
 */
export interface RankedDocument {
  /**
   * A term's count in each field (in `FIELDS` order), or undefined when the skill lacks it.
   * The array may be reused by the next call: read it at once.
   */
  counts(term: string): ArrayLike<number> | undefined;
  /** Calls `visit` with each term of the skill and its counts per field (read at once, as above). */
  forEachTerm(visit: (term: string, counts: ArrayLike<number>) => void): void;
  /** `forEachTerm` for the terms longer than `prefix` that start with it. */
  forEachLonger(prefix: string, visit: (term: string, counts: ArrayLike<number>) => void): void;
  /** Terms per field, in `FIELDS` order. */
  readonly lengths: readonly number[];
  /** Where a term stands in the `p`-th of the `POSITIONED` fields. */
  positions(p: number, term: string): readonly number[] | undefined;
}

/** The text of each field of a skill, as the ranker reads it. */
export function rankedText(skill: Pick<Skill, Field> & { instructions?: string }): Record<Field, string> {
  const instructions = skill.instructions ?? "";
  return {
    name: skill.name, description: skill.description, tags: skill.tags.join(" "), category: skill.category,
    instructions: instructions.length > MAX_INSTRUCTIONS_CHARS ? instructions.slice(0, MAX_INSTRUCTIONS_CHARS) : instructions,
  };
}

/** A `RankedDocument` over maps, made from a candidate's text. */
class AnalyzedSkill implements RankedDocument {
  /** Term → count per field, in `FIELDS` order. */
  private readonly termCounts = new Map<string, number[]>();
  readonly lengths: number[] = [];
  /** Term → positions, for the fields in `POSITIONED`. */
  private readonly termPositions: Map<string, number[]>[] = POSITIONED.map(() => new Map());

  constructor(skill: Skill) {
    const text = rankedText(skill);
    FIELDS.forEach((field, f) => {
      const terms = analyze(text[field]);
      this.lengths.push(terms.length);
      const where = this.termPositions[POSITIONED.indexOf(field)];
      terms.forEach((t, i) => {
        let perField = this.termCounts.get(t);
        if (!perField) this.termCounts.set(t, (perField = [0, 0, 0, 0, 0]));
        perField[f] = (perField[f] as number) + 1;
        if (where) {
          const list = where.get(t);
          if (list) list.push(i);
          else where.set(t, [i]);
        }
      });
    });
  }

  counts(term: string): ArrayLike<number> | undefined {
    return this.termCounts.get(term);
  }

  forEachTerm(visit: (term: string, counts: ArrayLike<number>) => void): void {
    for (const [t, counts] of this.termCounts) visit(t, counts);
  }

  forEachLonger(prefix: string, visit: (term: string, counts: ArrayLike<number>) => void): void {
    for (const [t, counts] of this.termCounts) if (t.length > prefix.length && t.startsWith(prefix)) visit(t, counts);
  }

  positions(p: number, term: string): readonly number[] | undefined {
    return this.termPositions[p]?.get(term);
  }
}

interface CachedAnalysis {
  skill: Pick<Skill, "version" | "updatedAt" | "name" | "description" | "category" | "tags" | "instructions">;
  analyzed: AnalyzedSkill;
}

const analyses = new Map<string, CachedAnalysis>();
const MAX_ANALYSES = 10_000;

/** The index terms of a skill, remembered while its content is unchanged. */
function analysis(skill: Skill): AnalyzedSkill {
  const hit = analyses.get(skill.id);
  if (hit && sameContent(hit.skill, skill)) return hit.analyzed;
  const analyzed = new AnalyzedSkill(skill);
  if (analyses.size >= MAX_ANALYSES) analyses.clear();
  analyses.set(skill.id, { skill, analyzed });
  return analyzed;
}

function sameContent(a: CachedAnalysis["skill"], b: Skill): boolean {
  return a.version === b.version && a.updatedAt === b.updatedAt && a.name === b.name && a.description === b.description
    && a.category === b.category && a.instructions === b.instructions && a.tags.length === b.tags.length && a.tags.every((t, i) => t === b.tags[i]);
}

/** Collection statistics for IDF and length normalisation. */
export interface Statistics {
  documents: number;
  docs(term: string): number;
  /** Mean terms per field, in `FIELDS` order. */
  averageLength: readonly number[];
}

function statistics(analyzed: readonly RankedDocument[], vocabulary: Vocabulary | undefined): Statistics {
  const averageLength = FIELDS.map((field, f) => {
    const known = vocabulary?.averageLengths?.[field];
    return known !== undefined && known > 0 ? known : Math.max(1, analyzed.reduce((sum, a) => sum + (a.lengths[f] as number), 0) / Math.max(1, analyzed.length));
  });
  if (vocabulary) return { documents: vocabulary.documents, docs: (t) => vocabulary.terms.get(t) ?? 0, averageLength };
  // Without a vocabulary, document frequencies come from the candidates themselves.
  const counts = new Map<string, number>();
  for (const a of analyzed) a.forEachTerm((t) => counts.set(t, (counts.get(t) ?? 0) + 1));
  return { documents: Math.max(analyzed.length, 1), docs: (t) => counts.get(t) ?? 0, averageLength };
}

/** BM25 inverse document frequency of a term held by `docs` of `documents` skills. */
export function inverseDocumentFrequency(documents: number, docs: number): number {
  const n = Math.max(documents, docs);
  return Math.log(1 + (n - docs + 0.5) / (docs + 0.5));
}

function idf(stats: Statistics, docs: number): number {
  return inverseDocumentFrequency(stats.documents, docs);
}

/** The BM25F pseudo-frequency of a term's per-field counts in a skill with these field lengths. */
export function pseudoFrequency(perField: ArrayLike<number>, lengths: readonly number[], averageLength: readonly number[]): number {
  let sum = 0;
  for (let f = 0; f < FIELDS.length; f++) {
    const tf = perField[f] as number;
    if (tf === 0) continue;
    const field = FIELDS[f] as Field;
    const b = LENGTH_NORMALISATION[field];
    sum += (FIELD_WEIGHTS[field] * tf) / (1 - b + (b * (lengths[f] as number)) / (averageLength[f] as number));
  }
  return sum;
}

/** The most `saturate` gives, for any frequency. */
export const SATURATION_LIMIT = K1 + 1;

/** BM25's saturation of a (pseudo-)frequency: near 1 for one occurrence, at most K1 + 1. */
export function saturate(pseudo: number): number {
  return (pseudo * (K1 + 1)) / (pseudo + K1);
}

function termScore(perField: ArrayLike<number>, doc: RankedDocument, stats: Statistics): number {
  return saturate(pseudoFrequency(perField, doc.lengths, stats.averageLength));
}

/** The best match of one query word in a skill: its score and the index terms that matched. */
interface WordMatch {
  score: number;
  terms: readonly string[];
}

function matchWord(word: QueryWord, doc: RankedDocument, stats: Statistics): WordMatch | undefined {
  let bestScore = 0;
  let bestTerms: readonly string[] = [];
  for (const alternative of word.alternatives) {
    const { terms, weight } = alternative;
    if (terms.length === 1) {
      const t = terms[0] as string;
      const perField = doc.counts(t);
      if (perField) {
        const score = weight * idf(stats, stats.docs(t)) * termScore(perField, doc, stats);
        if (score > bestScore) [bestScore, bestTerms] = [score, terms];
      }
      if (alternative.prefix) {
        // Longer terms that start with this one ("log" → "login"): less sure than the term itself.
        let summed: number[] | undefined;
        let matched: string[] | undefined;
        let maxDocs = 0;
        doc.forEachLonger(t, (other, counts) => {
          summed ??= [0, 0, 0, 0, 0];
          (matched ??= []).push(other);
          maxDocs = Math.max(maxDocs, stats.docs(other));
          for (let f = 0; f < summed.length; f++) summed[f] = (summed[f] as number) + (counts[f] as number);
        });
        if (summed && matched) {
          const score = weight * PREFIX_WEIGHT * idf(stats, maxDocs) * termScore(summed, doc, stats);
          if (score > bestScore) [bestScore, bestTerms] = [score, matched];
        }
      }
    } else if (terms.every((t) => doc.counts(t) !== undefined)) {
      // Several terms: they count where they stand next to each other (in the instructions, where all occur).
      const perField = FIELDS.map((field, f) => {
        const p = POSITIONED.indexOf(field);
        if (p < 0) return Math.min(...terms.map((t) => (doc.counts(t) as ArrayLike<number>)[f] as number));
        const starts = doc.positions(p, terms[0] as string) ?? [];
        return starts.filter((start) => terms.every((t, k) => doc.positions(p, t)?.includes(start + k))).length;
      });
      if (perField.some((tf) => tf > 0)) {
        const docs = Math.min(...terms.map((t) => stats.docs(t)));
        const score = weight * idf(stats, docs) * termScore(perField, doc, stats);
        if (score > bestScore) [bestScore, bestTerms] = [score, terms];
      }
    }
  }
  return bestScore > 0 ? { score: bestScore, terms: bestTerms } : undefined;
}

/** The most a query word can add: its own term's IDF (or its best form's, when the index lacks it). */
export function wordImportance(word: QueryWord, stats: Pick<Statistics, "documents" | "docs">): number {
  let best = 0;
  for (const alternative of word.alternatives) {
    const docs = Math.min(...alternative.terms.map((t) => stats.docs(t)));
    if (docs === 0 && !alternative.prefix) continue;
    best = Math.max(best, alternative.weight * inverseDocumentFrequency(stats.documents, docs));
  }
  return best;
}

/** Whether some term of `a` stands right next to some term of `b` in one of the positioned fields. */
function adjacent(a: readonly string[], b: readonly string[], doc: RankedDocument): boolean {
  for (let p = 0; p < POSITIONED.length; p++) {
    for (const ta of a) {
      const pa = doc.positions(p, ta);
      if (!pa) continue;
      for (const tb of b) {
        const pb = doc.positions(p, tb);
        if (pb && pa.some((x) => pb.includes(x + 1) || pb.includes(x - 1))) return true;
      }
    }
  }
  return false;
}

/** Scales a summed word score by how much of the query the skill covers (`coverage` in 0..1). */
export function coverageFactor(coverage: number): number {
  return COVERAGE_FLOOR + (1 - COVERAGE_FLOOR) * coverage * coverage;
}

/** A candidate's score, for tests and tools: relevance before the reliability prior. */
export interface ScoredSkill {
  skill: Skill;
  relevance: number;
  score: number;
}

/**
 * Scores candidates against a plan, in JavaScript, the same whichever store or index found
 * them: BM25F over the skill's fields (IDF from the vocabulary when there is one), each
 * query word counting by its best form (its own term beats a prefix, a compound, a typo
 * correction or a synonym); scaled by how much of the query the skill covers, with bonuses
 * for query words that stand together in a field and for a name the query covers; then
 * nudged by reliability. `documentOf` gives a candidate's ranked form (by default made from
 * its text).
 */
export function scoreCandidates(
  plan: SearchPlan,
  candidates: readonly SearchCandidate[],
  vocabulary?: Vocabulary,
  documentOf: (skill: Skill) => RankedDocument = analysis,
): ScoredSkill[] {
  const analyzed = candidates.map((c) => documentOf(c.skill));
  const stats = statistics(analyzed, vocabulary);
  const importance = plan.words.map((word) => wordImportance(word, stats));
  const total = importance.reduce((a, b) => a + b, 0);
  return candidates.map(({ skill }, index) => {
    const doc = analyzed[index] as RankedDocument;
    const matches = plan.words.map((word) => matchWord(word, doc, stats));
    let sum = 0;
    let covered = 0;
    matches.forEach((match, i) => {
      if (!match) return;
      sum += match.score;
      covered += importance[i] ?? 0;
    });
    let relevance = sum * coverageFactor(total > 0 ? Math.min(1, covered / total) : 1);
    // Neighbouring query words that stand together in a field.
    let phrases = 0;
    for (let i = 0; i + 1 < matches.length; i++) {
      const a = matches[i];
      const b = matches[i + 1];
      if (a && b && adjacent(a.terms, b.terms, doc)) phrases++;
    }
    // The share of the name's terms the query matched.
    let nameCoverage = 0;
    const nameLength = doc.lengths[0] as number;
    if (nameLength > 0) {
      const named = new Set<number>();
      for (const match of matches) for (const t of match?.terms ?? []) for (const p of doc.positions(0, t) ?? []) named.add(p);
      nameCoverage = named.size / nameLength;
    }
    relevance *= 1 + PHRASE_BONUS * phrases + NAME_BONUS * nameCoverage * nameCoverage;
    const score = relevance * (1 + RELIABILITY_WEIGHT * (reliability(skill) - 0.5));
    return { skill, relevance, score };
  });
}

/** Candidates scored (see `scoreCandidates`) and ordered best first, ties by id. */
export function orderCandidates(
  plan: SearchPlan,
  candidates: readonly SearchCandidate[],
  vocabulary?: Vocabulary,
  documentOf?: (skill: Skill) => RankedDocument,
): ScoredSkill[] {
  return scoreCandidates(plan, candidates, vocabulary, documentOf).sort((a, b) => b.score - a.score || (a.skill.id < b.skill.id ? -1 : a.skill.id > b.skill.id ? 1 : 0));
}

/** The first `limit` candidates, best first (see `scoreCandidates`). */
export function rankCandidates(
  plan: SearchPlan,
  candidates: readonly SearchCandidate[],
  limit: number,
  vocabulary?: Vocabulary,
  documentOf?: (skill: Skill) => RankedDocument,
): Skill[] {
  return orderCandidates(plan, candidates, vocabulary, documentOf)
    .slice(0, limit)
    .map((scored) => scored.skill);
}
