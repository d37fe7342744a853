/**
 * Behaviour of runs on both engines: tools, timers, isolation between runs, results, errors,
 * logs, queueing, abort and close.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { MemberPool } from "../../../src/exec/sandbox/member-pool.js";
import { ENGINES, makeRun, resultOf, runValue, startPool } from "./sandbox-helpers.js";

for (const engine of ENGINES) {
  describe(`${engine}: runs`, () => {
    let pool: MemberPool;
    /** One member only: consecutive runs are sure to share a process/worker. */
    let single: MemberPool;
    beforeAll(async () => {
      [pool, single] = await Promise.all([startPool(engine, { maxResultBytes: 1_000 }), startPool(engine, { poolSize: 1 })]);
    });
    afterAll(async () => {
      await Promise.all([pool.close(), single.close()]);
    });
    beforeEach(async () => {
      await Promise.all([pool.whenReady(), single.whenReady()]);
    });

    describe("code and results", () => {
      it(".run() - runs an async function expression with its JSON context", async () => {
        expect(await runValue(pool, "async (context) => ({ sum: context.a + context.b, list: context.list })", { context: { a: 1, b: 2, list: [1, "x"] } })).toEqual({ sum: 3, list: [1, "x"] });
      });

      it(".run() - accepts a plain function expression and a function declaration", async () => {
        expect(await runValue(pool, "function (context) { return context.n * 2 }", { context: { n: 21 } })).toBe(42);
        expect(await runValue(pool, "function twice(context) { return context.n * 2 }", { context: { n: 2 } })).toBe(4);
      });

      it(".run() - undefined becomes null and the result is JSON made inside the sandbox", async () => {
        expect(await pool.run(makeRun("async () => undefined"))).toMatchObject({ ok: true, resultJson: "null" });
        expect(await pool.run(makeRun("async () => ({ toJSON() { return 'custom'; }, fn() {} })"))).toMatchObject({ ok: true, resultJson: '"custom"' });
        expect(await pool.run(makeRun("async () => new Date(0)"))).toMatchObject({ ok: true, resultJson: '"1970-01-01T00:00:00.000Z"' });
      });

      it(".run() - a result over maxResultBytes is kind result-size (also when only its UTF-8 bytes are over)", async () => {
        expect(await pool.run(makeRun("async () => 'x'.repeat(2000)"))).toMatchObject({ ok: false, kind: "result-size" });
        // 600 characters, 1202 bytes of JSON: only the byte count is over the 1000-byte limit.
        expect(await pool.run(makeRun("async () => 'é'.repeat(600)"))).toMatchObject({ ok: false, kind: "result-size" });
        expect(await pool.run(makeRun("async () => 'x'.repeat(900)"))).toMatchObject({ ok: true });
      });

      it(".run() - a throw is kind error with the skill's message and stack", async () => {
        const outcome = await pool.run(makeRun("async () => { function innerStep() { throw new RangeError('bad thing'); } innerStep(); }"));
        expect(outcome).toMatchObject({ ok: false, kind: "error", message: "bad thing" });
        if (outcome.ok || outcome.kind !== "error") throw new Error("expected an error outcome");
        expect(outcome.stack).toContain("RangeError: bad thing");
        expect(outcome.stack).toContain("innerStep");
      });

      it(".run() - thrown non-errors, unserialisable results, syntax errors and non-functions are errors", async () => {
        expect(await pool.run(makeRun("async () => { throw 'plain text'; }"))).toMatchObject({ ok: false, kind: "error", message: "plain text" });
        expect(await pool.run(makeRun("async () => 10n"))).toMatchObject({ ok: false, kind: "error" });
        expect(await pool.run(makeRun("async () => { const a = {}; a.a = a; return a; }"))).toMatchObject({ ok: false, kind: "error" });
        expect(await pool.run(makeRun("async () => {"))).toMatchObject({ ok: false, kind: "error" });
        expect(await pool.run(makeRun("42"))).toMatchObject({ ok: false, kind: "error", message: expect.stringContaining("function expression") as unknown });
      });

      it(".run() - endless recursion is a catchable stack overflow inside, and the member lives on", async () => {
        const value = await runValue(pool, "async () => { const down = (n) => down(n + 1) + 1; try { down(0); } catch (error) { return error instanceof Error; } }");
        expect(value).toBe(true);
        expect(await pool.run(makeRun("async () => { const down = () => down(); down(); }"))).toMatchObject({ ok: false, kind: "error" });
        expect(await runValue(pool, "async () => 'still here'")).toBe("still here");
      });

      it(".run() - console output is captured and capped", async () => {
        const outcome = await pool.run(makeRun("async () => { console.log('a', 1, { b: 2 }); console.info('i'); console.warn('w'); console.error(new Error('e')); return 0; }"));
        if (!outcome.ok) throw new Error(JSON.stringify(outcome));
        expect(outcome.logs.slice(0, 3)).toEqual(['a 1 {"b":2}', "[info] i", "[warn] w"]);
        expect(outcome.logs[3]).toMatch(/^\[error\] Error: e/);
        const flood = await pool.run(makeRun("async () => { for (let i = 0; i < 5000; i++) console.log('line ' + i); return 0; }"));
        expect(flood.logs.length).toBeLessThanOrEqual(1001);
        expect(flood.logs.at(-1)).toContain("dropped");
      });
    });

    describe("tools", () => {
      it(".run() - tool arguments and results cross as JSON", async () => {
        const seen: unknown[] = [];
        const value = await runValue(pool, "async (context, tools) => { const r = await tools.echo(1, { a: [2] }, 'x', undefined, new Date(0)); return { r, keys: Object.keys(tools) }; }", {
          tools: {
            echo: (...args: unknown[]) => {
              seen.push(args);
              return { got: args.length, nested: { ok: true }, when: new Date(0) };
            },
          },
        });
        expect(seen).toEqual([[1, { a: [2] }, "x", null, "1970-01-01T00:00:00.000Z"]]);
        expect(value).toEqual({ r: { got: 5, nested: { ok: true }, when: "1970-01-01T00:00:00.000Z" }, keys: ["echo"] });
      });

      it(".run() - a tool error is an Error inside the skill, catchable with try/catch", async () => {
        const value = await runValue(pool, "async (context, tools) => { try { await tools.fail(); } catch (error) { return 'caught: ' + error.message; } }", {
          tools: {
            fail: () => {
              throw new Error("no such user");
            },
          },
        });
        expect(value).toBe("caught: no such user");
        const uncaught = await pool.run(makeRun("async (context, tools) => tools.fail()", { tools: { fail: () => Promise.reject(new Error("down")) } }));
        expect(uncaught).toMatchObject({ ok: false, kind: "error", message: "down" });
      });

      it(".run() - many tool calls in parallel each get their own answer", async () => {
        const value = await runValue(pool, "async (context, tools) => Promise.all(Array.from({ length: 20 }, (_, i) => tools.square(i)))", {
          tools: { square: async (n: number) => n * n },
        });
        expect(value).toEqual(Array.from({ length: 20 }, (_, i) => i * i));
      });
    });

    describe("timers", () => {
      it(".run() - setTimeout works inside a run and clearTimeout cancels", async () => {
        const value = await runValue(pool, `async () => {
          const order = [];
          const cancelled = setTimeout(() => order.push("cancelled"), 5);
          clearTimeout(cancelled);
          await new Promise((resolve) => setTimeout(() => { order.push("late"); resolve(); }, 30));
          await new Promise((resolve) => setTimeout((a, b) => { order.push(a + b); resolve(); }, 0, "x", "y"));
          return order;
        }`);
        expect(value).toEqual(["late", "xy"]);
      });

      it(".run() - an error thrown in a timer callback fails the run", async () => {
        const outcome = await pool.run(makeRun("async () => { setTimeout(() => { throw new Error('in timer'); }, 1); await new Promise(() => {}); }", { timeoutMs: 3_000 }));
        expect(outcome).toMatchObject({ ok: false, kind: "error", message: "in timer" });
      });

      it(".run() - timers die with the run: a timer of run 1 never fires into run 2", async () => {
        const pings: string[] = [];
        const tools = { ping: (who: string) => void pings.push(who) };
        await runValue(single, "async (context, tools) => { setTimeout(() => tools.ping('run 1'), 20); return 'returned'; }", { tools });
        // Run 2 lives in the same member and outlasts run 1's timer.
        const value = await runValue(single, "async (context, tools) => { await new Promise((r) => setTimeout(r, 120)); await tools.ping('run 2'); return 'ok'; }", { tools });
        expect(value).toBe("ok");
        expect(pings).toEqual(["run 2"]);
      });
    });

    describe("isolation between runs", () => {
      it(".run() - a global, a prototype change and a builtin swap of run 1 are gone in run 2 of the same code", async () => {
        const code = `async () => {
          const seen = { leak: typeof globalThis.leak, proto: ({}).polluted, parse: JSON.parse("[1]")[0] };
          globalThis.leak = 1;
          Object.prototype.polluted = "yes";
          JSON.parse = () => [99];
          return seen;
        }`;
        const first = await runValue(single, code);
        const second = await runValue(single, code);
        expect(first).toEqual({ leak: "undefined", parse: 1 });
        expect(second).toEqual(first);
      });

      it(".run() - back-to-back runs in one member each get a fresh context", async () => {
        const code = `async (context) => {
          const seen = typeof globalThis.marker === "undefined" ? "fresh" : "reused by run " + globalThis.marker;
          globalThis.marker = context.i;
          return seen;
        }`;
        const seen: unknown[] = [];
        // No whenReady() between runs: each run goes in as soon as the last one answered.
        for (let i = 0; i < 8; i++) seen.push(await runValue(single, code, { context: { i } }));
        expect(seen).toEqual(Array.from({ length: 8 }, () => "fresh"));
      });

      it(".run() - after a run hits the memory limit, the next run in the same member starts clean", async () => {
        const bomb = await single.run(makeRun("async () => { globalThis.marker = 1; const keep = []; for (;;) keep.push(new Array(100000).fill(keep.length)); }", { timeoutMs: 3_000 }));
        expect(bomb.ok).toBe(false);
        if (!bomb.ok) expect(["memory", "timeout"]).toContain(bomb.kind);
        expect(await runValue(single, "async () => typeof globalThis.marker")).toBe("undefined");
        expect(await runValue(single, "async (c) => c.n * 2", { context: { n: 21 } })).toBe(42);
      });

      it(".run() - tools and timers still work when the skill traps prototype setters and replaces JSON", async () => {
        // QuickJS's own JSON.stringify calls index setters of Array.prototype (the skill's tool calls
        // then fail inside the sandbox, nothing else): that trap is probed on isolated-vm only.
        const arrayTrap = engine === "isolated-vm";
        const value = await runValue(pool, `async (context, tools) => {
          if (${arrayTrap}) for (const key of ["0", "1", "2"]) Object.defineProperty(Array.prototype, key, { set() { throw new Error("trapped " + key); }, configurable: true });
          Object.defineProperty(Object.prototype, "1", { set() { throw new Error("trapped object key"); }, configurable: true });
          JSON.stringify = () => "forged";
          JSON.parse = () => "forged";
          await new Promise((resolve) => setTimeout(resolve, 1));
          const [a, b] = await Promise.all([tools.echo("a"), tools.echo("b")]);
          return a + b;
        }`, { tools: { echo: (text: string) => text } });
        expect(value).toBe("ab");
      });
    });

    describe("queue, abort and close", () => {
      it(".run() - a run waiting in the queue still dies at its deadline", async () => {
        const blocker = single.run(makeRun("async () => { for (;;) {} }", { timeoutMs: 600 }));
        const started = performance.now();
        const queued = await single.run(makeRun("async () => 'never started'", { timeoutMs: 100 }));
        expect(queued).toMatchObject({ ok: false, kind: "timeout" });
        expect(performance.now() - started).toBeLessThan(400);
        expect(await blocker).toMatchObject({ kind: "timeout" });
      });

      it(".run() - an already aborted signal or a passed deadline ends the run at once", async () => {
        const controller = new AbortController();
        controller.abort();
        expect(await pool.run(makeRun("async () => 1", { signal: controller.signal }))).toMatchObject({ ok: false, kind: "aborted" });
        expect(await pool.run({ ...makeRun("async () => 1"), deadline: performance.now() - 1 })).toMatchObject({ ok: false, kind: "timeout" });
      });

      it(".close() - kills every member; a run in flight and later runs reject", async () => {
        const doomed = await startPool(engine, { poolSize: 1 });
        expect(resultOf(await doomed.run(makeRun("async () => 1")))).toBe(1);
        const inFlight = expect(doomed.run(makeRun("async () => { for (;;) {} }", { timeoutMs: 10_000 }))).rejects.toThrow(/closed/);
        await doomed.close();
        await inFlight;
        await expect(doomed.run(makeRun("async () => 1"))).rejects.toThrow(/closed/);
        expect(doomed.stats().members).toBe(0);
        await doomed.close();
      });
    });
  });
}
