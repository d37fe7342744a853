import type { Skill } from "../skill/skill.js";
import type { SearchCandidate } from "../store/skill-store.js";

/**
 * Lower bound of the Wilson score interval (95 %) of a skill's success rate: many good runs
 * count more than a few. 0 for a never-run skill.
 */
export function reliabilityLowerBound(skill: Skill): number {
  const n = skill.stats.executions;
  if (n === 0) return 0;
  const z = 1.96;
  const p = skill.stats.successes / n;
  const denominator = 1 + (z * z) / n;
  const centre = p + (z * z) / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p) + (z * z) / (4 * n)) / n);
  return (centre - margin) / denominator;
}

/** How much reliability may move a result: a tie-breaker, not a burial of new skills. */
const RELIABILITY_WEIGHT = 0.05;

/**
 * Orders candidates by text relevance, nudged by reliability: a proven skill moves ahead of
 * an equally relevant one; a never-run skill is treated as average (0.5), not as failed.
 */
export function rankCandidates(candidates: readonly SearchCandidate[], limit: number): Skill[] {
  return candidates
    .map(({ skill, score }) => {
      const reliability = skill.stats.executions === 0 ? 0.5 : reliabilityLowerBound(skill);
      return { skill, score: score * (1 + RELIABILITY_WEIGHT * (reliability - 0.5)) };
    })
    .sort((a, b) => b.score - a.score || a.skill.id.localeCompare(b.skill.id))
    .slice(0, limit)
    .map((ranked) => ranked.skill);
}
