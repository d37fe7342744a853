import type { Skill } from "../skill/skill.js";
import type { SearchCandidate, SkillFilter, SkillStore, SyncSkillStore, TextQuery } from "../store/skill-store.js";
import { planSearch, type SearchPlan } from "./prepare-query.js";
import { rankCandidates } from "./rank-candidates.js";
import type { SearchIndex } from "./search-index.js";
import { ALL_SKILLS, listedVocabulary, listedVocabularySync, type Vocabulary } from "./vocabulary.js";

/**
 * How many candidates to ask the store for: the store ranks by its own BM25 / ts_rank; the
 * search layer re-ranks them, so it asks for a margin.
 */
function candidateLimit(limit: number): number {
  return Number.isFinite(limit) ? limit * 3 + 20 : limit;
}

/** How many of the in-memory index's candidates are ranked: it chooses them by BM25F already, so fewer suffice. */
export function indexCandidateLimit(limit: number): number {
  return Number.isFinite(limit) ? limit + 10 : limit;
}

/** How many times more candidates to fetch when the store's scores carry no order. */
const FLAT_WIDENING = 4;

/**
 * Whether a full page of candidates all scored alike: then the store's order says nothing
 * (an FTS5 `bm25()` that cannot rank returns 0 for every row) and the page is an arbitrary
 * sample of the matches, so a wider one is fetched for the search layer to rank.
 */
function flat(candidates: readonly SearchCandidate[], requested: number): boolean {
  const first = candidates[0];
  const last = candidates[candidates.length - 1];
  return Number.isFinite(requested) && candidates.length >= requested && first !== undefined && last !== undefined && first.score === last.score;
}

/**
 * One search, written once for both kinds of store: a generator that yields the store
 * queries it needs (`[query, limit]`) and is given their candidates, so the same steps serve
 * the synchronous and the asynchronous API. One fetch of every planned form (the typed
 * words' own terms and the closest expansions), a wider one when the store's scores carry
 * no order, then the search layer's ranking; with the in-memory index, no store query at all.
 */
function* search(plan: SearchPlan, filter: SkillFilter, limit: number, vocabulary: Vocabulary, index: SearchIndex | undefined): Generator<[TextQuery, number], Skill[], SearchCandidate[]> {
  if (index) return index.search(plan, filter, limit, indexCandidateLimit(limit));
  const requested = candidateLimit(limit);
  let candidates = yield [plan.text, requested];
  if (flat(candidates, requested)) candidates = yield [plan.text, requested * FLAT_WIDENING];
  return rankCandidates(plan, candidates, limit, vocabulary);
}

/**
 * The vocabulary of a synchronous store: its own when it has one, else one the search layer
 * lists from the skills (see `listedVocabularySync`).
 */
function syncVocabulary(store: SyncSkillStore): Vocabulary {
  return store.vocabulary ? store.vocabulary() : listedVocabularySync(store, () => store.listByReliability({}, ALL_SKILLS));
}

/**
 * A search on a synchronous (embedded) store: plan the query against the vocabulary, take
 * candidates from the in-memory index when one is given (else from the store's full-text
 * index), rank them. An empty query lists by reliability.
 */
export function searchSync(store: SyncSkillStore, query: string, filter: SkillFilter, limit: number, index?: SearchIndex): Skill[] {
  const vocabulary = index ? index.vocabulary() : syncVocabulary(store);
  const plan = planSearch(query, vocabulary);
  if (plan.words.length === 0) return store.listByReliability(filter, limit);
  const steps = search(plan, filter, limit, vocabulary, index);
  let step = steps.next([]);
  while (!step.done) {
    const [text, requested] = step.value;
    step = steps.next(store.search(text, filter, requested));
  }
  return step.value;
}

/** `searchSync` for any store. */
export async function searchAsync(store: SkillStore, query: string, filter: SkillFilter, limit: number, index?: SearchIndex): Promise<Skill[]> {
  const vocabulary = index
    ? index.vocabulary()
    : store.vocabulary ? await store.vocabulary() : await listedVocabulary(store, () => store.listByReliability({}, ALL_SKILLS));
  const plan = planSearch(query, vocabulary);
  if (plan.words.length === 0) return store.listByReliability(filter, limit);
  const steps = search(plan, filter, limit, vocabulary, index);
  let step = steps.next([]);
  while (!step.done) {
    const [text, requested] = step.value;
    step = steps.next(await store.search(text, filter, requested));
  }
  return step.value;
}
