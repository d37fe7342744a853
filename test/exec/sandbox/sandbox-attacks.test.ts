/**
 * The attack suite: every probe here would succeed against a naive `node:vm` sandbox.
 * Both engines must pass it unchanged.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { MemberPool } from "../../../src/exec/sandbox/member-pool.js";
import { ENGINES, makeRun, resultOf, runValue, startPool, timedRun } from "./sandbox-helpers.js";

const SECRET = `canary-${Math.random().toString(36).slice(2)}`;
process.env["SKILL_CANARY"] = SECRET;
const canaryDir = mkdtempSync(join(tmpdir(), "sandbox-canary-"));
const canaryFile = join(canaryDir, "secret.txt");
writeFileSync(canaryFile, SECRET);

/** Loose bound on how late a kill may come after the deadline (target ≤ 20 ms), beyond the host's own event-loop delay. */
const MAX_LATE_MS = 50;

const CPU_ATTACKS: Record<string, string> = {
  "while(true){}": "async () => { while (true) {} }",
  "a loop inside a microtask": "async () => { Promise.resolve().then(() => { while (true) {} }); return 1; }",
  "while(true) await null": "async () => { while (true) await null; }",
  "an await that never settles": "async () => { await new Promise(() => {}); }",
  // The prelude removes SharedArrayBuffer, Atomics and WebAssembly (checked below); should one
  // come back, the probe blocks in Atomics.wait, else it spins.
  "Atomics.wait on a SharedArrayBuffer (or a spin where they are hidden)": `async () => {
    const sab = typeof SharedArrayBuffer === "function" ? new SharedArrayBuffer(4)
      : typeof WebAssembly === "object" ? new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer : undefined;
    if (sab !== undefined && typeof Atomics === "object") Atomics.wait(new Int32Array(sab), 0, 0);
    else for (;;) {}
  }`,
  "catastrophic regex backtracking": 'async () => /(a+)+$/.test("a".repeat(40) + "b")',
  "an endless synchronous function (no async)": "function () { for (;;) {} }",
};

afterAll(() => rmSync(canaryDir, { recursive: true, force: true }));

for (const engine of ENGINES) {
  describe(`${engine}: attack suite`, () => {
    let pool: MemberPool;
    beforeAll(async () => {
      pool = await startPool(engine);
    });
    afterAll(async () => {
      await pool.close();
    });
    beforeEach(async () => {
      await pool.whenReady();
    });

    describe("privilege boundary", () => {
      it(".run() - this.constructor.constructor('return process')() finds no process", async () => {
        const value = await runValue(pool, `function () {
          const fromThis = this.constructor.constructor("return typeof process")();
          const fromObject = ({}).constructor.constructor("return typeof process")();
          const fromFunction = (() => {}).constructor("return typeof process")();
          return [fromThis, fromObject, fromFunction];
        }`);
        expect(value).toEqual(["undefined", "undefined", "undefined"]);
      });

      it(".run() - Function('return this')() is a global without process, require, module or Buffer", async () => {
        const value = await runValue(pool, `async () => {
          const g = Function("return this")();
          return [typeof g.process, typeof g.require, typeof g.module, typeof g.Buffer, typeof g.global, g === globalThis];
        }`);
        expect(value).toEqual(["undefined", "undefined", "undefined", "undefined", "undefined", true]);
      });

      it(".run() - require, process and import('fs') are unavailable", async () => {
        const value = (await runValue(pool, `async () => {
          let imported;
          try { await import("fs"); imported = "loaded"; } catch (error) { imported = "failed"; }
          let importedNode;
          try { await import("node:child_process"); importedNode = "loaded"; } catch (error) { importedNode = "failed"; }
          return { require: typeof require, process: typeof process, imported, importedNode };
        }`)) as Record<string, string>;
        expect(value).toEqual({ require: "undefined", process: "undefined", imported: "failed", importedNode: "failed" });
      });

      it(".run() - SharedArrayBuffer, Atomics, WebAssembly and gc are not exposed", async () => {
        const value = await runValue(pool, "async () => [typeof SharedArrayBuffer, typeof Atomics, typeof WebAssembly, typeof FinalizationRegistry, typeof gc]");
        expect(value).toEqual(["undefined", "undefined", "undefined", "undefined", "undefined"]);
      });

      it(".run() - a rejected tool gives an error of the sandbox, not a host object", async () => {
        class HostError extends Error {
          secret = SECRET;
        }
        const value = await runValue(pool, `async (context, tools) => {
          try { await tools.fail(); return "no error"; } catch (error) {
            return {
              message: error.message,
              isError: error instanceof Error,
              sandboxPrototype: Object.getPrototypeOf(error) === Error.prototype,
              processViaError: error.constructor.constructor("return typeof process")(),
              secret: String(error.secret),
            };
          }
        }`, { tools: { fail: () => Promise.reject(new HostError("tool broke")) } });
        expect(value).toEqual({ message: "tool broke", isError: true, sandboxPrototype: true, processViaError: "undefined", secret: "undefined" });
      });

      it(".run() - Error.prepareStackTrace tampering inside does not touch the host", async () => {
        const hostPrepare = Error.prepareStackTrace;
        const hostLimit = Error.stackTraceLimit;
        const value = await runValue(pool, `async () => {
          Error.prepareStackTrace = () => "pwned";
          Error.stackTraceLimit = 0;
          return typeof new Error("x").stack;
        }`);
        expect(value).toBe("string");
        const hostError = new Error("host");
        expect(Error.prepareStackTrace).toBe(hostPrepare);
        expect(Error.stackTraceLimit).toBe(hostLimit);
        expect(hostError.stack).toMatch(/^Error: host\n\s+at /);
      });

      it(".run() - Object.prototype pollution inside is not seen by the host", async () => {
        const value = await runValue(pool, `async () => {
          Object.prototype.polluted = "yes";
          Array.prototype.includes = () => true;
          JSON.parse = () => "hijacked";
          return ({}).polluted;
        }`);
        expect(value).toBe("yes");
        expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
        expect([1].includes(2)).toBe(false);
        expect(JSON.parse("[1]")).toEqual([1]);
      });

      it(".run() - a canary file on the host is never readable", async () => {
        const outcome = await pool.run(makeRun(`async (context) => {
          const tries = [];
          const attempt = async (label, fn) => { try { tries.push(label + ":" + String(await fn())); } catch (error) { tries.push(label + ": failed"); } };
          await attempt("require", () => require("fs").readFileSync(context.path, "utf8"));
          await attempt("import", async () => (await import("fs")).readFileSync(context.path, "utf8"));
          await attempt("escape", () => this.constructor.constructor("return process")().mainModule.require("fs").readFileSync(context.path, "utf8"));
          await attempt("binding", () => Function("return process")().binding("fs"));
          await attempt("fetch", async () => (await fetch("file://" + context.path)).text());
          return tries;
        }`, { context: { path: canaryFile } }));
        const result = resultOf(outcome) as string[];
        expect(result).toHaveLength(5);
        expect(JSON.stringify(outcome)).not.toContain(SECRET);
      });

      it(".run() - a canary environment variable of the host is never readable", async () => {
        expect(process.env["SKILL_CANARY"]).toBe(SECRET);
        const outcome = await pool.run(makeRun(`async () => {
          const found = [];
          for (const get of [() => process.env, () => globalThis.process.env, () => Function("return process")().env, () => this.process.env]) {
            try { found.push(JSON.stringify(get())); } catch (error) { found.push("none"); }
          }
          return found;
        }`));
        expect(resultOf(outcome)).toEqual(["none", "none", "none", "none"]);
        expect(JSON.stringify(outcome)).not.toContain(SECRET);
      });
    });

    describe("kill boundary", () => {
      for (const [name, code] of Object.entries(CPU_ATTACKS)) {
        it(`.run() - ${name} is stopped at the deadline, then the next run works`, async () => {
          const { outcome, lateMs, loopLagMs } = await timedRun(pool, makeRun(code, { timeoutMs: 200 }));
          expect(outcome).toMatchObject({ ok: false, kind: "timeout" });
          expect(lateMs).toBeGreaterThanOrEqual(0);
          expect(lateMs).toBeLessThan(MAX_LATE_MS + loopLagMs);
          expect(await runValue(pool, "async (c) => c.n + 1", { context: { n: 1 } })).toBe(2);
        });
      }

      it(".run() - a heap memory bomb is stopped (memory limit, or the deadline first) and the host survives", async () => {
        // QuickJS reaches its limit slowly on this one (seconds): its deadline comes first.
        const timeoutMs = engine === "quickjs" ? 1_000 : 8_000;
        const { outcome, lateMs, loopLagMs } = await timedRun(pool, makeRun("async () => { const keep = []; for (;;) keep.push(new Array(100000).fill(keep.length)); }", { timeoutMs }));
        expect(outcome.ok).toBe(false);
        if (!outcome.ok) expect(["memory", "timeout"]).toContain(outcome.kind);
        if (engine === "isolated-vm") expect(outcome).toMatchObject({ kind: "memory" });
        expect(lateMs).toBeLessThan(MAX_LATE_MS + loopLagMs);
        expect(await runValue(pool, "async () => 'alive'")).toBe("alive");
      });

      it(".run() - an ArrayBuffer memory bomb is stopped by the memory limit and the host survives", async () => {
        const rssBefore = process.memoryUsage().rss;
        const outcome = await pool.run(makeRun("async () => { const keep = []; for (;;) keep.push(new Uint8Array(1 << 20).fill(1)); }", { timeoutMs: 8_000 }));
        expect(outcome).toMatchObject({ ok: false, kind: "memory" });
        // The limit is 32 MB (+32 MB of engine room for QuickJS, whose WASM memory lives in this process).
        expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * 1024 * 1024);
        expect(await runValue(pool, "async () => 'alive'")).toBe("alive");
      });

      it(".run() - the host event loop stays responsive during an endless loop", async () => {
        let last = performance.now();
        let maxGap = 0;
        const ticker = setInterval(() => {
          const now = performance.now();
          maxGap = Math.max(maxGap, now - last);
          last = now;
        }, 5);
        try {
          const outcome = await pool.run(makeRun("async () => { for (;;) {} }", { timeoutMs: 400 }));
          expect(outcome).toMatchObject({ kind: "timeout" });
        } finally {
          clearInterval(ticker);
        }
        expect(maxGap).toBeLessThan(100);
      });

      it(".run() - after endless loops time out together, a burst of 50 runs finishes and the pool is whole again", async () => {
        const loops = Array.from({ length: 4 }, () => pool.run(makeRun("async () => { for (;;) {} }", { timeoutMs: 250 })));
        const outcomes = await Promise.all(loops);
        expect(outcomes.every((outcome) => !outcome.ok && outcome.kind === "timeout")).toBe(true);
        const started = performance.now();
        const burst = await Promise.all(Array.from({ length: 50 }, (_, i) => runValue(pool, "async (c) => c.i * 2", { context: { i }, timeoutMs: 10_000 })));
        expect(burst).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
        expect(performance.now() - started).toBeLessThan(5_000);
        await pool.whenReady();
        expect(pool.stats()).toMatchObject({ members: 2, idle: 2, busy: 0, queued: 0 });
      });

      it(".run() - an abort signal stops a running skill with kind aborted", async () => {
        const controller = new AbortController();
        const pending = pool.run(makeRun("async () => { for (;;) {} }", { signal: controller.signal, timeoutMs: 10_000 }));
        setTimeout(() => controller.abort(), 50);
        const started = performance.now();
        expect(await pending).toMatchObject({ ok: false, kind: "aborted" });
        expect(performance.now() - started).toBeLessThan(1_000);
        expect(await runValue(pool, "async () => 'next'")).toBe("next");
      });
    });
  });
}
