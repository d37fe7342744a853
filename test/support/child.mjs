// A separate process acting on a shared store, for multi-process tests. Runs the built
// package (dist/), as another program would. Prints one JSON line per event on stdout.
import { createInterface } from "node:readline";
import { openSkillLibrary } from "../../dist/index.js";

const [command, store, ...args] = process.argv.slice(2);
const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
const library = await openSkillLibrary({ store });
const lines = createInterface({ input: process.stdin });
const nextLine = () => new Promise((resolve) => lines.once("line", resolve));

switch (command) {
  case "race": {
    // Waits for "go", then tries one compare-and-swap update.
    const [id, expected] = args;
    say({ ready: true });
    await nextLine();
    try {
      const saved = await library.addSkill(
        { id, name: `written by ${process.pid}`, description: "raced" },
        { expectedVersion: Number(expected) },
      );
      say({ won: saved.version });
    } catch (error) {
      say({ lost: error.code, actual: error.actual });
    }
    break;
  }
  case "batches": {
    // Writes batches of N skills forever, reporting each committed batch, until killed.
    const size = Number(args[0]);
    for (let batch = 0; ; batch++) {
      const skills = Array.from({ length: size }, (_, i) => ({ id: `b${batch}-${i}`, name: `batch ${batch}`, description: `item ${i} of batch ${batch}` }));
      await library.batchAddSkills(skills);
      say({ batch });
    }
  }
  case "batch-count": {
    // Writes COUNT batches of SIZE new skills (ids PREFIX-batch-i), then reports.
    const [size, count, prefix] = [Number(args[0]), Number(args[1]), args[2]];
    for (let batch = 0; batch < count; batch++) {
      const skills = Array.from({ length: size }, (_, i) => ({ id: `${prefix}-${batch}-${i}`, name: `${prefix} batch ${batch}`, description: `item ${i}` }));
      const outcome = await library.batchAddSkills(skills);
      if (Object.values(outcome).some((ok) => !ok)) throw new Error("a skill was refused");
    }
    say({ wrote: size * count });
    break;
  }
  case "save-and-freeze": {
    // Saves COUNT skills one by one (ids PREFIX-i, each with the word PREFIXwordI), reports, then
    // blocks its event loop (no timer runs, so nothing more is written) until it is killed.
    const [count, prefix] = [Number(args[0]), args[1]];
    for (let i = 0; i < count; i++) await library.addSkill({ id: `${prefix}-${i}`, name: `saved ${i}`, description: `the word ${prefix}word${i}` });
    say({ saved: count });
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
    break;
  }
  case "write": {
    const [id, name] = args;
    const saved = await library.addSkill({ id, name, description: "written by another process" });
    say({ version: saved.version });
    break;
  }
  case "execute": {
    // Runs a skill N times, then reports.
    const [id, times] = args;
    let ok = 0;
    for (let i = 0; i < Number(times); i++) {
      await library.executeSkill(id, {}, { agentId: `pid-${process.pid}` });
      ok++;
    }
    say({ ok });
    break;
  }
  case "handler-execute": {
    // Binds an in-process handler to the id, says it is ready, waits for "go", runs the skill
    // N times through the library (every run recorded by the store), then reports how long.
    const [id, times] = args;
    library.registerHandler(id, async () => 1);
    say({ ready: true });
    await nextLine();
    const started = performance.now();
    let ok = 0;
    for (let i = 0; i < Number(times); i++) {
      await library.executeSkill(id, {}, { agentId: `pid-${process.pid}` });
      ok++;
    }
    say({ ok, ms: performance.now() - started });
    break;
  }
  default:
    throw new Error(`unknown command ${command}`);
}
await library.close();
lines.close();
