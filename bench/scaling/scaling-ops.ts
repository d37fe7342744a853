import { readFileSync, writeFileSync } from "node:fs";
import type { SkillInput, SkillLibrary } from "../../dist/index.js";
import { random } from "../generate-skills.js";

/** The operations whose latency and throughput the scaling suite follows. */
export const OPERATIONS = ["getSkill", "searchSkills", "addSkill", "executeSkill"] as const;

/** One of `OPERATIONS`. */
export type Operation = (typeof OPERATIONS)[number];

/** A run that takes longer than this fails (so a slow sandbox cannot stall the whole bench). */
export const EXECUTE_TIMEOUT_MS = 10_000;

/** What the calls of one library size draw on: ids to read, queries, new skills to add. */
export interface Workload {
  /** Skills in the library, with ids `skill_0` … `skill_{size-1}` (as generateSkills names them). */
  size: number;
  queries: string[];
  fresh: SkillInput[];
}

/** Saves a workload for child processes. */
export function writeWorkload(file: string, workload: Workload): void {
  writeFileSync(file, JSON.stringify(workload));
}

/** Reads a workload written by `writeWorkload`. */
export function readWorkload(file: string): Workload {
  return JSON.parse(readFileSync(file, "utf8")) as Workload;
}

/**
 * One call of `op` on `library`, the i-th: the way an agent calls it with no cache help
 * (`getSkill`/`searchSkills` with `useCache: false`, so the store does the work), a new skill
 * for `addSkill` (ids prefixed by `tag`, unique per caller), a generated skill's code for
 * `executeSkill` (a warm sandbox, the run recorded by the store).
 *
 * @example
 * ```ts
 * const call = operationCall(library, "getSkill", workload, "a1");
 * await call(0);
 * ```
 */
export function operationCall(library: SkillLibrary, op: Operation, workload: Workload, tag: string): (i: number) => Promise<unknown> {
  const pick = random(workload.size * 31 + tag.length);
  const someId = () => `skill_${Math.floor(pick() * workload.size)}`;
  switch (op) {
    case "getSkill":
      return () => library.getSkill(someId(), { useCache: false });
    case "searchSkills":
      return (i) => library.searchSkills(workload.queries[i % workload.queries.length] as string, { useCache: false });
    case "addSkill":
      return (i) => library.addSkill({ ...(workload.fresh[i % workload.fresh.length] as SkillInput), id: `${tag}_${i}` });
    case "executeSkill":
      return (i) => library.executeSkill(someId(), { n: i }, { timeout: EXECUTE_TIMEOUT_MS });
  }
}
