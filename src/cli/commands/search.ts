/** `skill-library search QUERY`: best matches first, as a table (or `--json`). */
import type { Command } from "commander";
import type { SearchOptions } from "../../index.js";
import { collect, positiveInt, rate } from "../arg-parsers.js";
import { withExamples, type CliRuntime } from "../cli-runtime.js";
import { formatTable, percent, truncate } from "../format-table.js";

interface SearchFlags {
  category?: string;
  tag: string[];
  minSuccessRate?: number;
  limit?: number;
}

/** Registers `search`. */
export function registerSearchCommand(program: Command, cli: CliRuntime): void {
  withExamples(
    program
      .command("search")
      .argument("[query]", 'words to look for ("" lists the skills that pass the filters, most reliable first)', "")
      .summary("search skills")
      .description("search skills by name, description, tags, category and instructions")
      .option("--category <category>", "only skills of this category")
      .option("--tag <tag>", "only skills with this tag (repeat for several: all must match)", collect, [])
      .option("--min-success-rate <rate>", "only skills with at least this success rate (0-1)", rate)
      .option("--limit <n>", "at most this many results (default 10)", positiveInt),
    'skill-library search "log in" --category auth --tag web --limit 5',
  ).action(async (query: string, flags: SearchFlags) => {
    const options: SearchOptions = {};
    if (flags.category !== undefined) options.category = flags.category;
    if (flags.tag.length > 0) options.tags = flags.tag;
    if (flags.minSuccessRate !== undefined) options.minSuccessRate = flags.minSuccessRate;
    if (flags.limit !== undefined) options.limit = flags.limit;
    await cli.withLibrary(async (library) => {
      // One search in a short-lived process: the embedded store's full-text index answers at
      // once, where building the in-memory index would list every skill first.
      const skills = library.options.store.kind === "sqlite" ? library.searchSkillsSync(query, options) : await library.searchSkills(query, options);
      cli.print(
        () =>
          skills.length === 0
            ? "no skills found"
            : formatTable(
                ["ID", "CATEGORY", "SUCCESS", "RUNS", "DESCRIPTION"],
                skills.map((s) => [s.id, s.category, percent(s.stats.successRate, s.stats.executions), String(s.stats.executions), truncate(s.description, 60)]),
              ),
        () => ({ skills }),
      );
    });
  });
}
