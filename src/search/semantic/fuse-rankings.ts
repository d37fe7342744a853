import type { Skill } from "../../skill/skill.js";

/** Reciprocal rank fusion's constant: how fast a lower rank stops counting (60 in the original paper). */
const RRF_K = 60;

/**
 * Reciprocal rank fusion (Cormack et al., 2009): each skill scores Σ 1 / (k + rank) over the
 * rankings it appears in, so a skill both the lexical and the semantic ranking place high comes
 * first, and one found by only one of them still counts. Ties keep the first ranking's order.
 */
export function fuseRankings(rankings: readonly (readonly Skill[])[], limit: number): Skill[] {
  const scores = new Map<string, { skill: Skill; score: number; first: number }>();
  rankings.forEach((ranking, r) => {
    ranking.forEach((skill, rank) => {
      const entry = scores.get(skill.id) ?? { skill, score: 0, first: r * 1e6 + rank };
      entry.score += 1 / (RRF_K + rank + 1);
      scores.set(skill.id, entry);
    });
  });
  return [...scores.values()].sort((a, b) => b.score - a.score || a.first - b.first).slice(0, limit).map((e) => e.skill);
}
