/**
 * The engine factory: explicit engines, "auto", and the isolated-vm probe.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createSandbox, isIsolatedVmAvailable } from "../../../src/exec/sandbox/create-sandbox.js";
import { makeRun, resultOf } from "./sandbox-helpers.js";

const OPTIONS = { memoryLimitMb: 32, maxResultBytes: 10_000, poolSize: 1 };

describe("createSandbox", () => {
  it("isIsolatedVmAvailable() - answers a boolean and caches it", async () => {
    const first = isIsolatedVmAvailable();
    expect(isIsolatedVmAvailable()).toBe(first);
    expect(typeof (await first)).toBe("boolean");
  });

  it('createSandbox() - "quickjs" runs code', async () => {
    const sandbox = await createSandbox("quickjs", OPTIONS);
    try {
      expect(sandbox.engine).toBe("quickjs");
      expect(resultOf(await sandbox.run(makeRun("async (c) => c.x * 3", { context: { x: 5 } })))).toBe(15);
    } finally {
      await sandbox.close();
    }
  });

  it('createSandbox() - "auto" picks isolated-vm when it is available, else quickjs', async () => {
    const expected = (await isIsolatedVmAvailable()) ? "isolated-vm" : "quickjs";
    const sandbox = await createSandbox("auto", OPTIONS);
    try {
      expect(sandbox.engine).toBe(expected);
      expect(resultOf(await sandbox.run(makeRun("async () => 'auto'")))).toBe("auto");
    } finally {
      await sandbox.close();
    }
  });

  it('createSandbox() - "isolated-vm" runs code when available and rejects clearly when not', async () => {
    if (await isIsolatedVmAvailable()) {
      const sandbox = await createSandbox("isolated-vm", OPTIONS);
      expect(sandbox.engine).toBe("isolated-vm");
      await sandbox.close();
    } else {
      await expect(createSandbox("isolated-vm", OPTIONS)).rejects.toThrow(/isolated-vm.*not available/);
    }
  });

  it("createSandbox() - an idle pool that was never closed does not keep the host process alive", async () => {
    const entry = fileURLToPath(new URL("../../../src/exec/sandbox/create-sandbox.ts", import.meta.url));
    const engines = (await isIsolatedVmAvailable()) ? ["quickjs", "isolated-vm"] : ["quickjs"];
    // A host that awaits a run (timer + tool inside) must stay alive for it, then exit on its own.
    const script = `
      const { createSandbox } = await import(${JSON.stringify(entry)});
      for (const engine of ${JSON.stringify(engines)}) {
        const sandbox = await createSandbox(engine, { memoryLimitMb: 32, maxResultBytes: 1000, poolSize: 2 });
        const outcome = await sandbox.run({
          code: "async (c, tools) => { await new Promise((r) => setTimeout(r, 100)); return tools.seven(); }",
          contextJson: "{}", toolNames: ["seven"], deadline: performance.now() + 10000,
          callTool: () => new Promise((resolve) => setTimeout(() => resolve("7"), 50)),
        });
        console.log(engine, JSON.stringify(outcome));
      }`;
    const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) => {
      execFile(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { timeout: 40_000 }, (error, out) => (error ? reject(error) : resolve({ stdout: out })));
    });
    for (const engine of engines) expect(stdout).toContain(`${engine} {"ok":true,"resultJson":"7","logs":[]}`);
  }, 45_000);

  it("createSandbox() - rejects an unknown engine name", async () => {
    await expect(createSandbox("v8" as "quickjs", OPTIONS)).rejects.toThrow(/unknown sandbox engine "v8"/);
  });
});
