import type { Skill } from "../skill/skill.js";
import type { SkillFilter } from "../store/skill-store.js";

/**
 * Whether a skill passes the shared filters, as the stores' SQL reads them: the category
 * exactly, every tag, and a success rate of at least `minSuccessRate` (above 0, a never-run
 * skill does not pass).
 */
export function matchesFilter(skill: Skill, filter: SkillFilter): boolean {
  if (filter.category !== undefined && skill.category !== filter.category) return false;
  if (filter.tags && !filter.tags.every((tag) => skill.tags.includes(tag))) return false;
  const min = filter.minSuccessRate;
  if (min !== undefined) {
    const { executions, successes } = skill.stats;
    if (executions === 0) return min <= 0;
    if (successes / executions < min) return false;
  }
  return true;
}
