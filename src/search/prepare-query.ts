import type { TextQuery } from "../store/skill-store.js";
import { analyze, isFunctionWord, term, words } from "./analyzer.js";
import { corrections, hasPrefix, type Vocabulary } from "./vocabulary.js";
import { isKnownWord, relatedWords } from "./wordnet.js";

/** Shortest term that also matches as a prefix. */
const MIN_PREFIX = 3;

/** How a form of a query word came about. */
export type AlternativeKind = "exact" | "joined" | "split" | "derived" | "typo" | "synonym";

/** One way a query word may show up in a skill's index terms. */
export interface Alternative {
  /** One index term, or several that must stand next to each other ("web page" for "webpage"). */
  terms: readonly string[];
  /** A single term that also matches longer terms starting with it (at a lower weight). */
  prefix: boolean;
  /** 1 for the word's own term; less for forms further from what was typed. */
  weight: number;
  kind: AlternativeKind;
}

/** A query word and every form that counts as a match of it, its own first. */
export interface QueryWord {
  word: string;
  alternatives: Alternative[];
}

/** A query as the ranker reads it (words and their weighted forms) and as the store reads it. */
export interface SearchPlan {
  words: QueryWord[];
  /** What the store matches candidates by: the words' own terms and their closest forms, OR-ed. */
  readonly text: TextQuery;
}

/** Weights of the forms that are not the typed word: always below an exact match. */
export const WEIGHTS = {
  /** Two typed words written as one index term ("log in" → "login") or one split in two. */
  compound: 0.9,
  /** The longest index term that starts the word's term, for a word the index lacks ("printable" → print). */
  derived: 0.6,
  /** A correction of a word the index does not hold (edit distance 1); distance 2 gets less. */
  typo: 0.85,
  /** The head (last part) of a compound or of a several-word synonym: "webpage" → page, "mobile phone" → phone. */
  head: 0.5,
  /** A WordNet lemma of the word's most common sense (scaled by how close the relation is). */
  synonym: 0.4,
} as const;

/** Most synonym forms kept per query word (closest first). */
const MAX_SYNONYMS = 12;

interface TypedWord {
  word: string;
  stem: string;
  /** Whether the word follows a determiner ("a meeting", "my schedule"): a noun or adjective, not a verb. */
  nominal: boolean;
}

/** Words after which a noun phrase starts. */
const DETERMINERS = new Set("a an the my your our their this that these those every each its his her".split(" "));

/** Whether a query word says nothing about which skill is meant. */
function isQueryStopWord(word: string): boolean {
  return isFunctionWord(word) || word.length === 1;
}

/** A query's words, contractions undone ("don't" → "do not", "someone's" → "someone"). */
function queryText(text: string): string[] {
  return words(text.replace(/n['’]t\b/gi, " not").replace(/(\w)['’](s|re|ve|ll|d|m)\b/gi, "$1"));
}

/** The query's content words (stop words out, unless nothing else is left), one per term. */
function queryWords(text: string): TypedWord[] {
  const all = queryText(text).map((word, i, list) => ({ word, nominal: i > 0 && DETERMINERS.has(list[i - 1] as string) }));
  const meaningful = all.filter(({ word }) => !isQueryStopWord(word));
  const chosen = meaningful.length > 0 ? meaningful : all;
  const seen = new Set<string>();
  const found: TypedWord[] = [];
  for (const { word, nominal } of chosen) {
    const stem = term(word);
    if (seen.has(stem)) continue;
    seen.add(stem);
    found.push({ word, stem, nominal });
  }
  return found;
}

/**
 * Plans a search: each content word of the query gets its own term (also as a prefix), and,
 * at lower weights, the index terms it may stand for: a compound ("web page" ↔ "webpage",
 * "log in" → "login"), the base of a derived word ("printable" → print), a typo correction
 * against the index's vocabulary (only for a word the index does not hold and English does
 * not know), and WordNet relatives of its most common senses (also of collocations of two
 * to four words such as "shut off"). With a vocabulary, forms the index does not hold, or
 * that are in over half the skills, are left out.
 */
export function planSearch(text: string, vocabulary?: Vocabulary): SearchPlan {
  const typed = queryWords(text);
  const raw = queryText(text);
  const useful = (terms: readonly string[]) =>
    terms.length > 0 && (!vocabulary || terms.every((t) => {
      const docs = vocabulary.terms.get(t);
      return docs !== undefined && docs <= vocabulary.documents / 2;
    }));
  const planned: QueryWord[] = typed.map(({ word, stem, nominal }) => ({ word, alternatives: [...wordAlternatives(word, stem, nominal, vocabulary, useful)] }));

  // Neighbouring typed words (stop words included): two written as one index term ("log in"
  // → login), or a WordNet collocation of two to four words ("shut off", "keep an eye on").
  for (let i = 0; i + 1 < raw.length; i++) {
    for (let length = 2; length <= MAX_COLLOCATION && i + length <= raw.length; length++) {
      const span = raw.slice(i, i + length);
      const owner = planned.find((w) => span.includes(w.word));
      if (!owner) continue;
      const has = (terms: readonly string[]) => owner.alternatives.some((a) => a.terms.join(" ") === terms.join(" "));
      if (length === 2) {
        const joined = term(span.join(""));
        if ((!vocabulary || vocabulary.terms.has(joined)) && !has([joined])) {
          owner.alternatives.push({ terms: [joined], prefix: false, weight: WEIGHTS.compound, kind: "joined" });
        }
      }
      if (span.every(isQueryStopWord)) continue;
      for (const synonym of collocationForms(span.join(" "), vocabulary, useful)) {
        if (!has(synonym.terms)) owner.alternatives.push({ terms: synonym.terms, prefix: false, weight: synonym.weight, kind: "synonym" });
      }
    }
  }
  let storeText: TextQuery | undefined;
  return {
    words: planned,
    // Made on first use: a search answered by the in-memory index never reads it.
    get text() {
      return (storeText ??= storeQuery(planned, vocabulary));
    },
  };
}

/** Plans of single words, per vocabulary (a store returns the same object while its index is unchanged). */
const wordPlans = new WeakMap<object, Map<string, readonly Alternative[]>>();
const NO_VOCABULARY = {};
const MAX_WORD_PLANS = 10_000;

/** A typed word's forms: its own term, then compounds, a typo correction and synonyms. */
function wordAlternatives(word: string, stem: string, nominal: boolean, vocabulary: Vocabulary | undefined, useful: (terms: readonly string[]) => boolean): readonly Alternative[] {
  let plans = wordPlans.get(vocabulary ?? NO_VOCABULARY);
  if (!plans) wordPlans.set(vocabulary ?? NO_VOCABULARY, (plans = new Map()));
  const planKey = nominal ? `${word}|n` : word;
  const hit = plans.get(planKey);
  if (hit) return hit;
  const alternatives: Alternative[] = [{ terms: [stem], prefix: stem.length >= MIN_PREFIX, weight: 1, kind: "exact" }];
  const add = (terms: readonly string[], weight: number, kind: AlternativeKind) => {
    if (terms.length === 0 || (terms.length === 1 && terms[0] === stem)) return;
    const key = terms.join(" ");
    const same = alternatives.find((a) => a.terms.join(" ") === key);
    if (same) {
      if (same.kind !== "exact" && weight > same.weight) Object.assign(same, { weight, kind });
      return;
    }
    alternatives.push({ terms, prefix: false, weight, kind });
  };
  if (vocabulary && /^[a-z]+$/.test(word)) {
    const held = vocabulary.terms.has(stem) || (stem.length >= MIN_PREFIX && hasPrefix(vocabulary, stem));
    if (!held) {
      for (const split of splits(word, vocabulary)) {
        add(split, WEIGHTS.compound, "split");
        // English compounds are right-headed: a "webpage" is a page.
        add(split.slice(-1), WEIGHTS.head, "split");
      }
      // A derived word whose base the index holds: "printable" → print, "shareable" → share.
      const base = longestHeldPrefix(stem, vocabulary);
      if (base) add([base], WEIGHTS.derived, "derived");
      // An English word the index lacks is no typo: its synonyms stand in for it.
      if (!isKnownWord(word)) {
        for (const { term: corrected, distance } of corrections(vocabulary, [word, stem])) {
          add([corrected], WEIGHTS.typo * (distance > 1 ? 0.8 : 1), "typo");
        }
      }
    }
  }
  for (const synonym of synonymForms(word, useful, nominal)) add(synonym.terms, synonym.weight, "synonym");
  if (plans.size >= MAX_WORD_PLANS) plans.clear();
  plans.set(planKey, alternatives);
  return alternatives;
}

const collocationPlans = new WeakMap<object, Map<string, readonly { terms: string[]; weight: number }[]>>();

/** `synonymForms` of a collocation, remembered per vocabulary. */
function collocationForms(text: string, vocabulary: Vocabulary | undefined, useful: (terms: readonly string[]) => boolean) {
  let plans = collocationPlans.get(vocabulary ?? NO_VOCABULARY);
  if (!plans) collocationPlans.set(vocabulary ?? NO_VOCABULARY, (plans = new Map()));
  let forms = plans.get(text);
  if (!forms) {
    forms = synonymForms(text, useful);
    if (plans.size >= MAX_WORD_PLANS) plans.clear();
    plans.set(text, forms);
  }
  return forms;
}

/** Longest WordNet collocation looked up, in words. */
const MAX_COLLOCATION = 4;

/**
 * The index forms of the WordNet relatives of a word or collocation, closest first: each
 * lemma's terms, and for a several-word noun lemma also its head ("mobile phone" → phone).
 * Forms `useful` refuses, and several-word lemmas holding a typed single word, are left out.
 * `nominal`: the word follows a determiner (see `relatedWords`).
 */
function synonymForms(text: string, useful: (terms: readonly string[]) => boolean, nominal = false): { terms: string[]; weight: number }[] {
  const found: { terms: string[]; weight: number }[] = [];
  // Only for a single word: a collocation's relatives keep its particle ("shut off" → close off).
  const own = new Set(text.includes(" ") ? [] : analyze(text));
  const seen = new Set<string>();
  const push = (terms: string[], weight: number) => {
    const key = terms.join(" ");
    if (seen.has(key) || !useful(terms)) return;
    seen.add(key);
    found.push({ terms, weight });
  };
  for (const { lemma, closeness, noun } of relatedWords(text, nominal)) {
    const terms = analyze(lemma);
    // A lemma holding the typed word itself ("pull out", "set back" for "pull", "set") is that
    // word plus a particle: it adds no other way of saying it.
    if (terms.length > 1 && terms.some((t) => own.has(t))) continue;
    push(terms, WEIGHTS.synonym * closeness);
    if (noun && terms.length > 1) push(terms.slice(-1), WEIGHTS.synonym * WEIGHTS.head * closeness);
  }
  return found.sort((a, b) => b.weight - a.weight).slice(0, MAX_SYNONYMS);
}

/** Shortest base of a derived word, and the least share of the word it must cover. */
const MIN_BASE = 4;
const MIN_BASE_SHARE = 0.55;

/** English derivational suffixes, as they are left after stemming ("-able" → "abl", "-ity" → "iti"). */
const DERIVATIONAL_SUFFIX = /^(?:abl|ibl|able|ible|ion|ation|at|ment|ness|iti|ity|iv|ive|al|ial|er|or|ist|ism|iz|is|ful|less|ous|li|ly|ship|hood|dom|ic|ical|ific)$/;

/**
 * The longest index term (of `MIN_BASE` letters or more) that the term starts with followed
 * by a derivational suffix ("printabl" → print + abl), if any.
 */
function longestHeldPrefix(stem: string, vocabulary: Vocabulary): string | undefined {
  for (let end = stem.length - 1; end >= MIN_BASE && end >= stem.length * MIN_BASE_SHARE; end--) {
    const base = stem.slice(0, end);
    if (vocabulary.terms.has(base) && DERIVATIONAL_SUFFIX.test(stem.slice(end))) return base;
  }
  return undefined;
}

/** Splits of a word into two index terms of three or more letters each ("webpage" → web, page). */
function splits(word: string, vocabulary: Vocabulary): string[][] {
  const found: string[][] = [];
  for (let i = 3; i <= word.length - 3; i++) {
    const left = term(word.slice(0, i));
    const right = term(word.slice(i));
    if (vocabulary.terms.has(left) && vocabulary.terms.has(right)) found.push([left, right]);
  }
  return found;
}

/** Most skills the expansions sent to the store may match together, as a share of the index (and at least). */
const EXPANSION_POSTINGS_SHARE = 0.1;
const MIN_EXPANSION_POSTINGS = 40;

/** Most forms, besides the typed words' own, that the store's query holds (the closest). */
const MAX_STORE_FORMS = 12;

/**
 * The store's query: the typed words' own terms (prefixes from three letters on) first, then
 * the closest other forms' terms, each in a group of its own, so a store that leaves out very
 * common terms leaves out just that form. The ranker still weighs every form of the plan in
 * the candidates the store returns.
 */
function storeQuery(planned: readonly QueryWord[], vocabulary: Vocabulary | undefined): TextQuery {
  const groups: string[][] = [];
  const seen = new Set<string>();
  const push = (form: string) => {
    if (seen.has(form)) return;
    seen.add(form);
    groups.push([form]);
  };
  for (const word of planned) {
    const own = word.alternatives[0];
    if (own) push(own.prefix ? `${own.terms[0]}*` : (own.terms[0] as string));
  }
  // Closest first; among equally close forms, the rarer (more telling, and quicker to match).
  const rarity = (a: Alternative) => {
    if (!vocabulary) return 1;
    const docs = Math.min(...a.terms.map((t) => vocabulary.terms.get(t) ?? 0));
    return Math.log(1 + (vocabulary.documents - docs + 0.5) / (docs + 0.5));
  };
  const others = planned
    .flatMap((word) => word.alternatives.slice(1))
    .map((alternative) => ({ alternative, value: alternative.weight * rarity(alternative) }))
    .sort((a, b) => b.value - a.value)
    .map(({ alternative }) => alternative);
  const budget = groups.length + MAX_STORE_FORMS;
  // The store ranks every skill an expansion matches: their postings together stay a small
  // share of the index, so a large index is not ranked whole for a few synonyms.
  let postings = 0;
  const maxPostings = vocabulary ? Math.max(MIN_EXPANSION_POSTINGS, vocabulary.documents * EXPANSION_POSTINGS_SHARE) : Infinity;
  for (const alternative of others) {
    if (groups.length >= budget) break;
    const docs = vocabulary ? Math.min(...alternative.terms.map((t) => vocabulary.terms.get(t) ?? 0)) : 0;
    if (postings + docs > maxPostings) continue;
    postings += docs;
    for (const t of alternative.terms) push(t);
  }
  return { groups };
}
