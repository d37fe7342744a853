/** `skill-library demo`: runs the guide's two examples. */
import type { Command } from "commander";
import { getSkillLibrary } from "../../index.js";
import { withExamples } from "../cli-runtime.js";

interface DemoModule {
  main(print?: (line: string) => void): Promise<unknown>;
}

/** Registers `demo` (it reads `--store` from the root program). */
export function registerDemoCommand(program: Command): void {
  withExamples(
    program.command("demo").description("run the guide's two examples (basic use; five concurrent agents)"),
    "skill-library demo --store ./skills.db",
  ).action(async () => {
    const store = program.opts<{ store?: string }>().store;
    const library = getSkillLibrary(store ? { store } : {});
    for (const [title, file] of [["Basic usage", "basic-usage.js"], ["Five concurrent agents", "concurrent-agents.js"]] as const) {
      console.log(`\n== ${title} ==`);
      // The examples are compiled next to the CLI (dist/examples); they are not part of src/.
      const example = (await import(new URL(`../../examples/${file}`, import.meta.url).href)) as DemoModule;
      await example.main((line) => console.log(line));
    }
    await library.close();
  });
}
