/**
 * The code both engines run first in every fresh context, before any skill code.
 *
 * It is JavaScript source (a string, so no build step can rewrite it), evaluated inside the
 * sandbox. It captures the builtins it needs while the context is still pristine, removes the
 * globals that could block or outlive a run (`SharedArrayBuffer`, `Atomics`, `WebAssembly`,
 * `FinalizationRegistry`, and the `gc` that `--expose-gc` puts in every V8 context), installs `console`, `setTimeout` and `clearTimeout`, and returns the
 * `run` function a member calls once per context.
 *
 * The prelude is an expression `(hostCall, hostSleep) => run` where the engine supplies:
 * - `hostCall(name, argsJson)` → a promise of `"1" + resultJson` or `"0" + errorMessage`;
 * - `hostSleep(ms)` → a promise fulfilled after `ms` (the member drops it when the run ends).
 *
 * `run(code, contextJson, toolNames, maxResultChars)` never rejects; it resolves with an
 * {@link Envelope}. Everything it returns is plain strings, made inside the sandbox.
 */

/** Caps applied inside the sandbox. */
export const PRELUDE_LIMITS = {
  /** Console lines kept per run. */
  maxLogLines: 1000,
  /** Console characters kept per run. */
  maxLogChars: 65_536,
  /** Pending `setTimeout` timers per run. */
  maxTimers: 10_000,
  /** Tool calls in flight per run. */
  maxToolCalls: 1000,
  /** Characters kept of an error's message and of its stack. */
  maxErrorChars: 16_384,
} as const;

/** What `run` resolves with (built inside the sandbox). */
export interface Envelope {
  /** How the run ended as far as the sandbox can tell. */
  k: "ok" | "error" | "result-size";
  /** The result as JSON text (`k: "ok"`). */
  r?: string;
  /** Error message (`k: "error"` or `"result-size"`). */
  m?: string;
  /** Error stack, when the thrown value had one. */
  s?: string;
  /** Error name, when the thrown value had one (detects QuickJS's "out of memory"). */
  n?: string;
  /** Captured console lines. */
  l: string[];
}

const L = PRELUDE_LIMITS;

/** Source of the prelude expression; see the module comment. */
export const PRELUDE_SOURCE = `(function (hostCall, hostSleep) {
  "use strict";
  const G = globalThis;
  const ObjectCreate = Object.create, ObjectFreeze = Object.freeze, ObjectDefineProperty = Object.defineProperty;
  const JSONparse = JSON.parse, JSONstringify = JSON.stringify, ReflectApply = Reflect.apply;
  const StringCtor = String, ErrorCtor = Error, TypeErrorCtor = TypeError, RangeErrorCtor = RangeError, PromiseCtor = Promise;
  const promiseThen = Promise.prototype.then, stringSlice = String.prototype.slice;
  const promiseResolve = (value) => ReflectApply(Promise.resolve, PromiseCtor, [value]);
  const indirectEval = G.eval;
  for (const name of ["SharedArrayBuffer", "Atomics", "WebAssembly", "FinalizationRegistry", "gc"]) {
    if (!Reflect.deleteProperty(G, name)) G[name] = undefined;
  }

  const cut = (text, max) => (text.length > max ? ReflectApply(stringSlice, text, [0, max]) + "…" : text);
  // QuickJS stacks list frames only; start them with "Name: message" like V8's.
  const withHeader = (stack, name, message) => {
    if (typeof stack !== "string") return undefined;
    if (typeof name !== "string" || ReflectApply(stringSlice, stack, [0, name.length]) === name) return stack;
    return name + ": " + StringCtor(message) + "\\n" + stack;
  };
  const logs = [];
  let logChars = 0, logsFull = false;
  const show = (value) => {
    if (typeof value === "string") return value;
    try {
      if (value instanceof ErrorCtor) return withHeader(value.stack, value.name, value.message) ?? StringCtor(value);
      if (value !== null && typeof value === "object") {
        const json = JSONstringify(value);
        if (typeof json === "string") return json;
      }
      return StringCtor(value);
    } catch (error) {
      return "[a value that cannot be printed]";
    }
  };
  const write = (prefix, args) => {
    if (logsFull) return;
    let line = prefix;
    for (let i = 0; i < args.length && line.length <= ${L.maxLogChars}; i++) line += (i === 0 ? "" : " ") + show(args[i]);
    if (logs.length >= ${L.maxLogLines} || logChars + line.length > ${L.maxLogChars}) {
      const room = ${L.maxLogChars} - logChars;
      if (logs.length < ${L.maxLogLines} && room > 0) logs[logs.length] = ReflectApply(stringSlice, line, [0, room]);
      logs[logs.length] = "[further console output was dropped]";
      logsFull = true;
      return;
    }
    logs[logs.length] = line;
    logChars += line.length;
  };
  const defineGlobal = (name, value) => ObjectDefineProperty(G, name, { value, writable: true, configurable: true, enumerable: false });
  defineGlobal("console", ObjectFreeze({
    log: (...args) => write("", args),
    debug: (...args) => write("", args),
    info: (...args) => write("[info] ", args),
    warn: (...args) => write("[warn] ", args),
    error: (...args) => write("[error] ", args),
  }));

  let failRun = null;
  const timers = ObjectCreate(null);
  let timerCount = 0, nextTimerId = 1;
  defineGlobal("setTimeout", function setTimeout(callback, delay, ...args) {
    if (typeof callback !== "function") throw new TypeErrorCtor("setTimeout: the callback must be a function");
    if (timerCount >= ${L.maxTimers}) throw new RangeErrorCtor("setTimeout: more than ${L.maxTimers} timers pending");
    let ms = +delay;
    if (!(ms > 0)) ms = 0;
    if (ms > 2147483647) ms = 2147483647;
    const id = nextTimerId++;
    timers[id] = true;
    timerCount++;
    ReflectApply(promiseThen, hostSleep(ms), [() => {
      if (timers[id] !== true) return;
      delete timers[id];
      timerCount--;
      try {
        ReflectApply(callback, undefined, args);
      } catch (error) {
        if (failRun !== null) failRun(error);
      }
    }]);
    return id;
  });
  defineGlobal("clearTimeout", function clearTimeout(id) {
    if (timers[id] === true) {
      delete timers[id];
      timerCount--;
    }
  });

  let toolsInFlight = 0;
  const makeTools = (names) => {
    const tools = {};
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      const call = async (...args) => {
        if (toolsInFlight >= ${L.maxToolCalls}) throw new RangeErrorCtor("more than ${L.maxToolCalls} tool calls in flight");
        const argsJson = JSONstringify(args);
        toolsInFlight++;
        let reply;
        try {
          reply = await hostCall(name, argsJson);
        } finally {
          toolsInFlight--;
        }
        const body = ReflectApply(stringSlice, reply, [1]);
        if (reply[0] === "1") return JSONparse(body);
        throw new ErrorCtor(body);
      };
      // defineProperty: a tool named "__proto__" must be a tool, not a prototype.
      ObjectDefineProperty(tools, name, { value: call, enumerable: true });
    }
    return ObjectFreeze(tools);
  };

  const describe = (error) => {
    let message, stack, name;
    try {
      if (error !== null && (typeof error === "object" || typeof error === "function")) {
        const m = error.message;
        message = typeof m === "string" ? m : StringCtor(error);
        const s = error.stack;
        if (typeof s === "string") stack = s;
        const n = error.name;
        if (typeof n === "string") name = n;
      } else {
        message = StringCtor(error);
      }
    } catch (readError) {
      message = "the skill threw a value that cannot be read";
    }
    if (stack !== undefined) stack = cut(withHeader(stack, name, message), ${L.maxErrorChars});
    // One literal (own data properties): no setter the skill put on Object.prototype is called.
    return { k: "error", m: cut(message, ${L.maxErrorChars}), s: stack, n: name, l: logs };
  };

  return function run(code, contextJson, toolNames, maxResultChars) {
    return new PromiseCtor((resolve) => {
      let settled = false;
      const finish = (envelope) => {
        if (settled) return;
        settled = true;
        failRun = null;
        for (const id in timers) delete timers[id];
        timerCount = 0;
        resolve(envelope);
      };
      const fail = (error) => finish(describe(error));
      failRun = fail;
      let fn, result;
      try {
        fn = indirectEval("(" + code + "\\n)");
      } catch (error) {
        return fail(error);
      }
      if (typeof fn !== "function") {
        return finish({ k: "error", m: "the skill's code must be a function expression such as async (context, tools) => result; it evaluated to " + (fn === null ? "null" : typeof fn), l: logs });
      }
      try {
        result = ReflectApply(fn, undefined, [JSONparse(contextJson), makeTools(toolNames)]);
      } catch (error) {
        return fail(error);
      }
      ReflectApply(promiseThen, promiseResolve(result), [(value) => {
        let json;
        try {
          json = JSONstringify(value);
        } catch (error) {
          return fail(error);
        }
        if (typeof json !== "string") json = "null";
        if (json.length > maxResultChars) {
          return finish({ k: "result-size", m: "the result is over " + maxResultChars + " bytes of JSON", l: logs });
        }
        finish({ k: "ok", r: json, l: logs });
      }, fail]);
    });
  };
})`;
