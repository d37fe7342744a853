/** `skill-library history ID` and `skill-library restore ID VERSION`. */
import { InvalidArgumentError as UsageError, type Command } from "commander";
import { SkillNotFoundError } from "../../index.js";
import { withExamples, type CliRuntime } from "../cli-runtime.js";
import { formatTable, truncate } from "../format-table.js";

/** Registers `history` and `restore`. */
export function registerVersionCommands(program: Command, cli: CliRuntime): void {
  withExamples(
    program.command("history").argument("<id>", "the skill id").description("list every saved version of a skill, oldest first (kept after delete)"),
    "skill-library history nav_login_generic",
  ).action(async (id: string) => {
    await cli.withLibrary(async (library) => {
      const versions = await library.getVersionHistory(id);
      if (versions.length === 0) throw new SkillNotFoundError(id, `skill "${id}" has no saved versions; check the id`);
      cli.print(
        () =>
          formatTable(
            ["VERSION", "SAVED AT", "HASH", "AUTHOR", "MESSAGE"],
            versions.map((v) => [String(v.version), v.savedAt, v.hash.slice(0, 12), v.author ?? "", truncate(v.message ?? "", 50)]),
          ),
        () => ({ versions }),
      );
    });
  });

  withExamples(
    program
      .command("restore")
      .argument("<id>", "the skill id")
      .argument("<version>", "the version to bring back (saved as a new version)", versionNumber)
      .description("save an old version's content as the newest version"),
    "skill-library restore nav_login_generic 2",
  ).action(async (id: string, version: number) => {
    await cli.withLibrary(async (library) => {
      const saved = await library.restoreVersion(id, version);
      cli.print(() => `restored ${id} version ${version} as version ${saved.version}`, () => saved);
    });
  });
}

function versionNumber(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < 1) throw new UsageError("must be a version number ≥ 1.");
  return number;
}
