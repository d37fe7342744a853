import type { SkillContent } from "../skill/skill.js";
import { indexedText } from "./analyzer.js";

/**
 * The vocabulary of the full-text index: which terms it holds and in how many skills. The
 * search layer uses it for IDF (so both stores rank alike), to leave out expansions the index
 * does not hold, and to correct typos against the index's own words.
 */

/** What a store tells about its index (see the optional `vocabulary()` of a store). */
export interface Vocabulary {
  /** How many skills the index holds. */
  readonly documents: number;
  /** Every index term and the number of skills that hold it. */
  readonly terms: ReadonlyMap<string, number>;
  /** Mean number of terms per field, when the store knows it (for BM25 length normalisation). */
  readonly averageLengths?: Readonly<Partial<Record<"name" | "description" | "tags" | "category" | "instructions", number>>>;
}

/** Lookups derived from a vocabulary, made once per vocabulary object. */
interface Derived {
  /** Terms in code-unit order, for prefix ranges. */
  sorted: string[];
  /** Terms by length, for typo lookups. */
  byLength: Map<number, string[]>;
}

const derived = new WeakMap<Vocabulary, Derived>();

function derive(vocabulary: Vocabulary): Derived {
  let found = derived.get(vocabulary);
  if (!found) {
    const sorted = [...vocabulary.terms.keys()].sort(compareCodeUnits);
    const byLength = new Map<number, string[]>();
    for (const term of sorted) {
      let list = byLength.get(term.length);
      if (!list) byLength.set(term.length, (list = []));
      list.push(term);
    }
    found = { sorted, byLength };
    derived.set(vocabulary, found);
  }
  return found;
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether some term of the vocabulary starts with `prefix` (the term itself included). */
export function hasPrefix(vocabulary: Vocabulary, prefix: string): boolean {
  if (vocabulary.terms.has(prefix)) return true;
  const { sorted } = derive(vocabulary);
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < prefix) lo = mid + 1;
    else hi = mid;
  }
  return (sorted[lo] ?? "").startsWith(prefix);
}

/** A correction of a misspelt word: an index term and its edit distance. */
export interface Correction {
  term: string;
  distance: number;
}

/**
 * Index terms within a small edit distance of `word` (insertions, deletions, substitutions
 * and swaps of neighbours each count 1): distance 1 for words of 4 to 7 letters, 2 from 8
 * letters on; words under 4 letters are not corrected. Each of `forms` (the word and, say,
 * its stem) is compared; the nearest terms are returned, at most `max`, more common first.
 */
export function corrections(vocabulary: Vocabulary, forms: readonly string[], max = 3): Correction[] {
  const { byLength } = derive(vocabulary);
  const best = new Map<string, number>();
  for (const form of forms) {
    if (form.length < 4) continue;
    const limit = form.length >= 8 ? 2 : 1;
    for (let length = Math.max(3, form.length - limit); length <= form.length + limit; length++) {
      for (const term of byLength.get(length) ?? []) {
        const distance = editDistance(form, term, limit);
        if (distance <= limit && distance < (best.get(term) ?? Infinity)) best.set(term, distance);
      }
    }
  }
  const found = [...best].map(([term, distance]) => ({ term, distance }));
  if (found.length === 0) return found;
  const nearest = Math.min(...found.map((c) => c.distance));
  return found
    .filter((c) => c.distance === nearest)
    .sort((a, b) => (vocabulary.terms.get(b.term) ?? 0) - (vocabulary.terms.get(a.term) ?? 0) || compareCodeUnits(a.term, b.term))
    .slice(0, max);
}

/**
 * Optimal-string-alignment distance of `a` and `b` (a swap of neighbours counts 1), or
 * `limit + 1` as soon as it must exceed `limit`.
 */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  if (a === b) return 0;
  const n = b.length;
  let before = new Array<number>(n + 1);
  let previous = new Array<number>(n + 1);
  let current = new Array<number>(n + 1);
  for (let j = 0; j <= n; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= n; j++) {
      const cb = b.charCodeAt(j - 1);
      let value = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (ca === cb ? 0 : 1));
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) value = Math.min(value, (before[j - 2] as number) + 1);
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > limit) return limit + 1;
    [before, previous, current] = [previous, current, before];
  }
  return Math.min(previous[n] as number, limit + 1);
}

/**
 * A vocabulary made by the search layer from the skills themselves (the same index terms the
 * stores hold), for a store that has no `vocabulary()` of its own. Long instructions count
 * by their first `MAX_LISTED_CHARS` characters.
 */
export function vocabularyOfSkills(skills: readonly SkillContent[]): Vocabulary {
  const terms = new Map<string, number>();
  const totals = { name: 0, description: 0, tags: 0, category: 0, instructions: 0 };
  for (const skill of skills) {
    const instructions = skill.instructions;
    const text = indexedText(instructions && instructions.length > MAX_LISTED_CHARS ? { ...skill, instructions: instructions.slice(0, MAX_LISTED_CHARS) } : skill);
    const seen = new Set<string>();
    for (const field of ["name", "description", "tags", "category", "instructions"] as const) {
      const fieldTerms = text[field] === "" ? [] : text[field].split(" ");
      totals[field] += fieldTerms.length;
      for (const t of fieldTerms) seen.add(t);
    }
    for (const t of seen) terms.set(t, (terms.get(t) ?? 0) + 1);
  }
  const documents = skills.length;
  const averageLengths = Object.fromEntries(Object.entries(totals).map(([field, total]) => [field, documents > 0 ? total / documents : 0]));
  return { documents, terms, averageLengths };
}

/** Longest part of a skill's instructions that `vocabularyOfSkills` reads. */
const MAX_LISTED_CHARS = 16_384;

/** A listed vocabulary of one store, and when it was made. */
interface Listed {
  vocabulary?: Vocabulary;
  madeAt: number;
  tookMs: number;
  refreshing: boolean;
}

const listed = new WeakMap<object, Listed>();

/**
 * How long a listed vocabulary is used before it is made again: at least a second, and long
 * enough that remaking it costs at most 2 % of the time.
 */
function listedLifetimeMs(state: Listed): number {
  return Math.max(1000, 50 * state.tookMs);
}

/** Every skill of a store, for `vocabularyOfSkills` (the listing takes all when the limit is this large). */
export const ALL_SKILLS = 2 ** 31 - 1;

/**
 * The listed vocabulary of a synchronous store: made on first use, then remade in the
 * background (after the current call) once it is older than its lifetime. Meanwhile the
 * older one serves: it only steers IDF, typo corrections and which synonyms are sent, never
 * which skills can match, so a skill saved since is still found by its own words.
 */
export function listedVocabularySync(store: object, list: () => readonly SkillContent[]): Vocabulary {
  let state = listed.get(store);
  if (!state?.vocabulary) {
    state = make(list);
    listed.set(store, state);
  } else if (!state.refreshing && performance.now() - state.madeAt > listedLifetimeMs(state)) {
    state.refreshing = true;
    const current = state;
    setTimeout(() => {
      try {
        listed.set(store, make(list));
      } catch {
        current.refreshing = false;
      }
    }, 0).unref();
  }
  return state.vocabulary as Vocabulary;
}

/** `listedVocabularySync` for an asynchronous store. */
export async function listedVocabulary(store: object, list: () => Promise<readonly SkillContent[]>): Promise<Vocabulary> {
  const state = listed.get(store);
  if (!state?.vocabulary) {
    const made = await makeAsync(list);
    listed.set(store, made);
    return made.vocabulary as Vocabulary;
  }
  if (!state.refreshing && performance.now() - state.madeAt > listedLifetimeMs(state)) {
    state.refreshing = true;
    makeAsync(list).then(
      (made) => listed.set(store, made),
      () => (state.refreshing = false),
    );
  }
  return state.vocabulary;
}

function make(list: () => readonly SkillContent[]): Listed {
  const started = performance.now();
  const vocabulary = vocabularyOfSkills(list());
  return { vocabulary, madeAt: performance.now(), tookMs: performance.now() - started, refreshing: false };
}

async function makeAsync(list: () => Promise<readonly SkillContent[]>): Promise<Listed> {
  const started = performance.now();
  const vocabulary = vocabularyOfSkills(await list());
  return { vocabulary, madeAt: performance.now(), tookMs: performance.now() - started, refreshing: false };
}

/** Every term of the vocabulary that starts with `prefix` and is longer than it, in code-unit order. */
export function termsWithPrefix(vocabulary: Vocabulary, prefix: string): string[] {
  const { sorted } = derive(vocabulary);
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) <= prefix) lo = mid + 1;
    else hi = mid;
  }
  const found: string[] = [];
  for (let i = lo; i < sorted.length && (sorted[i] as string).startsWith(prefix); i++) found.push(sorted[i] as string);
  return found;
}
