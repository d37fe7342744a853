import type { TextQuery } from "../store/skill-store.js";
import { isStopWord, term, words } from "./analyzer.js";

/**
 * Turns what a user typed into a full-text query over index terms. Only letters and digits
 * survive, so no character can be read as query syntax. Terms of three or more letters
 * also match as a prefix: "logging" (term "log") finds "login".
 */
export function prepareQuery(text: string): TextQuery {
  const all = words(text);
  const meaningful = all.filter((word) => !isStopWord(word));
  const chosen = meaningful.length > 0 ? meaningful : all;
  const seen = new Set<string>();
  const groups: string[][] = [];
  for (const word of chosen) {
    const stem = term(word);
    if (seen.has(stem)) continue;
    seen.add(stem);
    groups.push(stem.length >= 3 ? [`${stem}*`] : [stem]);
  }
  return { groups };
}
