import type { TextQuery } from "../store/skill-store.js";

/** Words too common to say anything about which skill is meant. */
const STOP_WORDS = new Set(
  ("a an and are as at be by for from how i in into is it its me my of on or our so some that the their them then " +
    "this to up us was we what when which with you your can do does please want need").split(" "),
);

/** Words of a text: lowercase runs of letters and digits, accents kept as letters. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().normalize("NFKC").match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * Turns what a user typed into a full-text query. Only letters and digits survive, so
 * no character can be read as query syntax. Words of three or more letters also match
 * as a prefix of their stem (the store's tokenizer stems): "logging" finds "login".
 */
export function prepareQuery(text: string): TextQuery {
  const words = tokenize(text);
  const meaningful = words.filter((word) => !STOP_WORDS.has(word));
  const chosen = meaningful.length > 0 ? meaningful : words;
  const seen = new Set<string>();
  const groups: string[][] = [];
  for (const word of chosen) {
    if (seen.has(word)) continue;
    seen.add(word);
    groups.push(word.length >= 3 ? [`${word}*`] : [word]);
  }
  return { groups };
}
