import { stemmer } from "stemmer";
import type { SkillContent } from "../skill/skill.js";

/** Words too common to say anything about which skill is meant. */
const STOP_WORDS = new Set(
  ("a an and are as at be by for from how i in into is it its me my of on or our so some that the their them then " +
    "this to up us was we what when which with you your can do does please want need").split(" "),
);

/**
 * English function words the index does not leave out: they say nothing about which skill is
 * meant in a query or in a WordNet definition. The particles of phrasal verbs ("log out",
 * "back up", "shut off") are not among them: in a query they carry meaning.
 */
const FUNCTION_WORDS = new Set(
  ("about above after again against all am any because been before being below between both but did doing down during each few " +
    "further had has have having he her here hers herself him himself his if itself just more most myself no nor not now off once only " +
    "other ours ourselves own same she should such than there these they those through too until very were while who whom whose why will " +
    "would yours yourself yourselves").split(" "),
);

/** Whether a word is a stop word of the index or another English function word (see `FUNCTION_WORDS`). */
export function isFunctionWord(word: string): boolean {
  return STOP_WORDS.has(word) || FUNCTION_WORDS.has(word);
}

/** The text of a skill as the full-text index holds it: one string of terms per field. */
export interface IndexedText {
  name: string;
  description: string;
  tags: string;
  category: string;
  instructions: string;
}

/** Lowercase runs of letters and digits. */
export function words(text: string): string[] {
  const lower = text.toLowerCase();
  // Most text is ASCII; the Unicode path (NFKC, letter classes) is several times slower.
  if (ASCII.test(lower)) return lower.match(/[a-z0-9]+/g) ?? [];
  return lower.normalize("NFKC").match(/[\p{L}\p{N}]+/gu) ?? [];
}

const ASCII = /^[\x00-\x7f]*$/;

/** Whether a word is too common to search by. */
export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}

const stems = new Map<string, string>();
const MAX_STEMS = 50_000;

/** The index term of a word: its Porter stem ("logging" → "log", "tables" → "tabl"). */
export function term(word: string): string {
  let stem = stems.get(word);
  if (stem === undefined) {
    stem = /^[a-z]+$/.test(word) ? stemmer(word) : word;
    // Words repeat (Zipf): remembering stems makes indexing several times faster.
    if (stems.size >= MAX_STEMS) stems.clear();
    stems.set(word, stem);
  }
  return stem;
}

/** Index term per word, '' for a stop word: one lookup per word while analysing. */
const indexTerms = new Map<string, string>();

/** The index term of a word, '' for a stop word (cached). */
function indexTerm(word: string): string {
  let found = indexTerms.get(word);
  if (found === undefined) {
    found = isStopWord(word) ? "" : term(word);
    if (indexTerms.size >= MAX_STEMS) indexTerms.clear();
    indexTerms.set(word, found);
  }
  return found;
}

/** The index terms of a text, stop words left out. */
export function analyze(text: string): string[] {
  const terms: string[] = [];
  for (const word of words(text)) {
    const found = indexTerm(word);
    if (found !== "") terms.push(found);
  }
  return terms;
}

/** Terms of the text being analysed by `analyzedText` (reused: one array for every call). */
const scratch: string[] = [];

/**
 * `analyze(text).join(" ")` without the array of words: ASCII text is scanned by character
 * code. The terms are joined once, into a flat string (appending them one by one made a
 * string of ~60 parts per field, which the garbage collector then traced until the store
 * wrote it: slower in a batch than the arrays).
 */
export function analyzedText(text: string): string {
  const lower = text.toLowerCase();
  if (!ASCII.test(lower)) return analyze(text).join(" ");
  const end = lower.length;
  let count = 0;
  let i = 0;
  while (i < end) {
    let c = lower.charCodeAt(i);
    while (!isAsciiWordChar(c) && ++i < end) c = lower.charCodeAt(i);
    if (i >= end) break;
    const start = i;
    while (++i < end && isAsciiWordChar(lower.charCodeAt(i)));
    const found = indexTerm(lower.slice(start, i));
    if (found !== "") scratch[count++] = found;
  }
  scratch.length = count;
  const joined = scratch.join(" ");
  scratch.length = 0;
  return joined;
}

/** `[a-z0-9]` as a character code. */
function isAsciiWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
}

/**
 * What a skill looks like to the full-text index. Terms are made here, once, above the
 * stores, so every store indexes (and so ranks) the same terms.
 */
export function indexedText(skill: SkillContent): IndexedText {
  return {
    name: analyzedText(skill.name),
    description: analyzedText(skill.description),
    tags: analyzedText(skill.tags.join(" ")),
    category: analyzedText(skill.category),
    instructions: analyzedText(skill.instructions ?? ""),
  };
}
