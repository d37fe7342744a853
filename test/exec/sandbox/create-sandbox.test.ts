/**
 * The engine factory: explicit engines, "auto", and the isolated-vm probe.
 */
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

  it("createSandbox() - rejects an unknown engine name", async () => {
    await expect(createSandbox("v8" as "quickjs", OPTIONS)).rejects.toThrow(/unknown sandbox engine "v8"/);
  });
});
