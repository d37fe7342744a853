#!/usr/bin/env node
/** The `skill-library` command line. */
import { Command } from "commander";
import { getSkillLibrary } from "../index.js";

interface DemoModule {
  main(print?: (line: string) => void): Promise<unknown>;
}

const program = new Command("skill-library")
  .description("Shared, durable skill memory for AI agents")
  .option("--store <url>", "store: a file path, sqlite:PATH, :memory: or postgres://… (default: $SKILL_LIBRARY_URL or ./skills.db)");

program
  .command("demo")
  .description("run the guide's two examples (basic use; five concurrent agents)")
  .addHelpText("after", "\nExample:\n  $ skill-library demo --store ./skills.db")
  .action(async () => {
    const store = program.opts<{ store?: string }>().store;
    const library = getSkillLibrary(store ? { store } : {});
    for (const [title, file] of [["Basic usage", "basic-usage.js"], ["Five concurrent agents", "concurrent-agents.js"]] as const) {
      console.log(`\n== ${title} ==`);
      // The examples are compiled next to the CLI (dist/examples); they are not part of src/.
      const example = (await import(new URL(`../examples/${file}`, import.meta.url).href)) as DemoModule;
      await example.main((line) => console.log(line));
    }
    await library.close();
  });

await program.parseAsync();
