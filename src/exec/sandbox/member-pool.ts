/**
 * The warm pool shared by both engines: members (child processes or worker threads) that each run
 * one skill at a time in a context they prepared ahead. The pool owns the queue, the deadlines,
 * aborts, tool calls and the replacement of killed members; an engine only says how to spawn one.
 */
import type { MemberEvents, MemberHandle, MemberPoolOptions, MemberPoolStats } from "./member.js";
import type { MemberMessage } from "./protocol.js";
import { relayToolCall } from "./tool-relay.js";
import { abortedOutcome, memoryOutcome, timeoutOutcome } from "./outcome.js";
import type { Sandbox, SandboxEngineName, SandboxOutcome, SandboxRun } from "./sandbox.js";

type MemberState = "starting" | "idle" | "busy" | "recycling" | "dead";

interface Member {
  handle: MemberHandle | undefined;
  state: MemberState;
  task: Task | undefined;
  watchdog: NodeJS.Timeout | undefined;
  exited: Promise<void>;
  /** What the member said before it gave up starting. */
  fatal: string | undefined;
}

interface Task {
  readonly runId: number;
  readonly run: SandboxRun;
  readonly resolve: (outcome: SandboxOutcome) => void;
  readonly reject: (error: Error) => void;
  member: Member | undefined;
  timer: NodeJS.Timeout | undefined;
  settled: boolean;
  onAbort: (() => void) | undefined;
}

/** Start failures in a row after which queued runs are refused (respawning goes on with back-off). */
const MAX_START_FAILURES = 3;
/**
 * A spawn blocks the host: `fork()` returns only once the child has exec'd, which took 2–12 ms on a
 * loaded 2-CPU machine and up to 160 ms while the members competed for the CPU (a worker thread's
 * start: 0.5–5 ms). No spawn starts closer than this to a pending run's deadline, so replacing a
 * killed member does not make the next timeout late.
 */
const SPAWN_CLEARANCE_MS = 50;
/** Longest a spawn waits for a clear moment: the pool must refill even when deadlines never leave room. */
const MAX_SPAWN_WAIT_MS = 1_000;
/** Longest delay Node timers take; longer deadlines re-arm. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * A {@link Sandbox} over a pool of members. Runs wait in a FIFO queue when every member is busy
 * (never spawning on the hot path); a host timer stops each run at its deadline, queued or not.
 */
export class MemberPool implements Sandbox {
  readonly engine: SandboxEngineName;
  private readonly options: Required<MemberPoolOptions>;
  private readonly members = new Set<Member>();
  private readonly queue: Task[] = [];
  private readonly readyWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private closed = false;
  private startFailures = 0;
  private lastStartError = "";
  private replenishTimer: NodeJS.Timeout | undefined;
  /** When the spawn now due was first held back for a deadline. */
  private spawnHeldSince: number | undefined;
  private nextRunId = 1;

  constructor(options: MemberPoolOptions) {
    this.engine = options.engine;
    this.options = { startTimeoutMs: 20_000, recycleTimeoutMs: 2_000, ...options, size: Math.max(1, Math.floor(options.size)) };
  }

  /** A new pool whose members are all warm; a pool that cannot start is closed before the error is thrown. */
  static async started(options: MemberPoolOptions): Promise<MemberPool> {
    const pool = new MemberPool(options);
    try {
      await pool.start();
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Spawns the members and resolves when all are warm; rejects if they keep failing to start. */
  start(): Promise<void> {
    this.scheduleReplenish();
    return this.whenReady();
  }

  /** Resolves when every member is warm and idle (e.g. after killed members were replaced). */
  whenReady(): Promise<void> {
    if (this.isFullyReady()) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error(`the ${this.engine} sandbox is closed`));
    return new Promise((resolve, reject) => {
      // Members are unref'd; keep the host alive while someone waits for them.
      const keepAlive = setInterval(() => undefined, 1 << 30);
      const release = (): void => clearInterval(keepAlive);
      this.readyWaiters.push({ resolve: () => (release(), resolve()), reject: (error) => (release(), reject(error)) });
    });
  }

  /** Current counts. */
  stats(): MemberPoolStats {
    let idle = 0;
    let busy = 0;
    for (const member of this.members) {
      if (member.state === "idle") idle++;
      else if (member.state === "busy") busy++;
    }
    return { members: this.members.size, idle, busy, queued: this.queue.length };
  }

  run(run: SandboxRun): Promise<SandboxOutcome> {
    if (this.closed) return Promise.reject(new Error(`the ${this.engine} sandbox is closed; runs after close() are refused`));
    if (run.signal?.aborted) return Promise.resolve(abortedOutcome());
    if (!(run.deadline > performance.now())) return Promise.resolve(timeoutOutcome());
    if (this.startFailures >= MAX_START_FAILURES && !this.hasWorkingMember()) return Promise.reject(this.startError());
    return new Promise<SandboxOutcome>((resolve, reject) => {
      const task: Task = { runId: this.nextRunId++, run, resolve, reject, member: undefined, timer: undefined, settled: false, onAbort: undefined };
      this.armDeadline(task);
      if (run.signal) {
        const onAbort = (): void => this.stopTask(task, abortedOutcome());
        task.onAbort = onAbort;
        run.signal.addEventListener("abort", onAbort, { once: true });
      }
      this.queue.push(task);
      this.pump();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.replenishTimer) clearTimeout(this.replenishTimer);
    const error = new Error(`the ${this.engine} sandbox was closed during the run`);
    for (const task of [...this.queue]) this.finish(task, error);
    const exits: Promise<void>[] = [];
    for (const member of [...this.members]) {
      if (member.task) this.finish(member.task, error);
      exits.push(member.exited);
      this.killMember(member);
    }
    for (const waiter of this.readyWaiters.splice(0)) waiter.reject(new Error(`the ${this.engine} sandbox was closed`));
    // A ref'd timer: the caller awaits close(), so the host must stay alive until members are gone.
    let cap: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(exits), new Promise<void>((resolve) => (cap = setTimeout(resolve, 2_000)))]);
    clearTimeout(cap);
  }

  // ——— runs ———

  private pump(): void {
    while (this.queue.length > 0) {
      const member = this.idleMember();
      if (!member?.handle) return;
      const task = this.queue.shift() as Task;
      member.state = "busy";
      member.task = task;
      task.member = member;
      try {
        member.handle.send({
          type: "run",
          runId: task.runId,
          code: task.run.code,
          contextJson: task.run.contextJson,
          toolNames: [...task.run.toolNames],
          timeoutMs: Math.max(0, task.run.deadline - performance.now()),
        });
      } catch {
        // The member's channel closed under us: give the run to another member.
        member.task = undefined;
        task.member = undefined;
        this.queue.unshift(task);
        this.killMember(member);
      }
    }
  }

  private armDeadline(task: Task): void {
    const left = task.run.deadline - performance.now();
    task.timer = setTimeout(() => this.onDeadline(task), Math.min(Math.max(left, 0), MAX_TIMER_MS));
  }

  private onDeadline(task: Task): void {
    if (task.settled) return;
    // Node timers count whole milliseconds and may fire up to ~1 ms early: never stop a run
    // before its deadline (the re-armed timer adds ~1 ms of lateness instead).
    if (task.run.deadline > performance.now()) return this.armDeadline(task);
    this.stopTask(task, timeoutOutcome());
  }

  /** Settles a run first, then kills the member that runs it (a respawn follows later). */
  private stopTask(task: Task, outcome: SandboxOutcome): void {
    if (task.settled) return;
    const member = task.member;
    this.finish(task, outcome);
    if (member) this.killMember(member);
  }

  private finish(task: Task, result: SandboxOutcome | Error): void {
    if (task.settled) return;
    task.settled = true;
    clearTimeout(task.timer);
    if (task.onAbort) task.run.signal?.removeEventListener("abort", task.onAbort);
    const queued = this.queue.indexOf(task);
    if (queued >= 0) this.queue.splice(queued, 1);
    if (result instanceof Error) task.reject(result);
    else task.resolve(result);
  }

  private callTool(member: Member, task: Task, callId: number, name: string, argsJson: string): void {
    relayToolCall(task.run, name, argsJson, (answer) => {
      if (task.settled || member.task !== task || !member.handle) return;
      try {
        member.handle.send({ type: "tool-result", runId: task.runId, callId, ...answer });
      } catch {
        // The member is gone; its exit settles the run.
      }
    });
  }

  // ——— members ———

  private onMessage(member: Member, message: MemberMessage): void {
    switch (message.type) {
      case "ready": {
        if (member.state !== "starting" && member.state !== "recycling") return;
        if (member.state === "starting") this.startFailures = 0;
        clearTimeout(member.watchdog);
        member.state = "idle";
        this.pump();
        this.notifyReady();
        return;
      }
      case "tool-call": {
        const task = member.task;
        if (task && !task.settled && task.runId === message.runId) this.callTool(member, task, message.callId, message.name, message.argsJson);
        return;
      }
      case "done": {
        const task = member.task;
        if (!task || task.runId !== message.runId) return;
        member.task = undefined;
        task.member = undefined;
        if (message.ready) {
          member.state = "idle";
          this.finish(task, message.outcome);
          this.pump();
          this.notifyReady();
          return;
        }
        member.state = "recycling";
        member.watchdog = setTimeout(() => this.killMember(member), this.options.recycleTimeoutMs).unref();
        this.finish(task, message.outcome);
        return;
      }
      case "fatal": {
        member.fatal = message.message;
        return;
      }
    }
  }

  private onExit(member: Member, reason: string): void {
    if (member.state === "dead") return;
    const wasStarting = member.state === "starting";
    member.state = "dead";
    clearTimeout(member.watchdog);
    this.members.delete(member);
    const task = member.task;
    member.task = undefined;
    if (task) this.finish(task, memoryOutcome(`the sandbox ${this.options.memberNoun} stopped during the run (${reason}); the likely cause is running out of memory`));
    if (wasStarting) this.onStartFailure(member.fatal ?? reason);
    this.scheduleReplenish();
  }

  private killMember(member: Member): void {
    if (member.state === "dead") return;
    const wasStarting = member.state === "starting";
    member.state = "dead";
    clearTimeout(member.watchdog);
    this.members.delete(member);
    member.task = undefined;
    member.handle?.kill();
    if (wasStarting && !this.closed) this.onStartFailure(`did not start within ${this.options.startTimeoutMs} ms`);
    this.scheduleReplenish();
  }

  private onStartFailure(reason: string): void {
    this.startFailures++;
    this.lastStartError = reason;
    if (this.startFailures < MAX_START_FAILURES) return;
    if (this.hasWorkingMember()) {
      // Degraded but usable: do not keep start() waiting for a member that may never come.
      for (const waiter of this.readyWaiters.splice(0)) waiter.resolve();
      return;
    }
    const error = this.startError();
    for (const task of [...this.queue]) this.finish(task, error);
    for (const waiter of this.readyWaiters.splice(0)) waiter.reject(error);
  }

  private scheduleReplenish(): void {
    if (this.closed || this.replenishTimer || this.members.size >= this.options.size) return;
    const delay = this.startFailures === 0 ? 0 : Math.min(100 * 2 ** (this.startFailures - 1), 30_000);
    this.replenishTimer = setTimeout(() => this.replenish(), delay).unref();
  }

  /** Spawns one member (one per turn of the event loop: each spawn blocks the host), unless a deadline is near. */
  private replenish(): void {
    this.replenishTimer = undefined;
    if (this.closed || this.members.size >= this.options.size) return;
    const hold = this.spawnHold();
    if (hold > 0) {
      this.replenishTimer = setTimeout(() => this.replenish(), hold).unref();
      return;
    }
    this.spawnHeldSince = undefined;
    this.spawnMember();
    this.scheduleReplenish();
  }

  /** Milliseconds to hold a spawn back: until a deadline within {@link SPAWN_CLEARANCE_MS} has passed. */
  private spawnHold(): number {
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    for (const task of this.queue) next = Math.min(next, task.run.deadline);
    for (const member of this.members) if (member.task) next = Math.min(next, member.task.run.deadline);
    if (next - now >= SPAWN_CLEARANCE_MS) return 0;
    this.spawnHeldSince ??= now;
    if (now - this.spawnHeldSince >= MAX_SPAWN_WAIT_MS) return 0;
    // Just past that deadline: its timer, armed earlier for an earlier time, fires first.
    return Math.max(1, next - now + 1);
  }

  private spawnMember(): void {
    let markExited: () => void = () => undefined;
    const member: Member = { handle: undefined, state: "starting", task: undefined, watchdog: undefined, exited: new Promise((resolve) => (markExited = resolve)), fatal: undefined };
    this.members.add(member);
    let exitedEarly: string | undefined;
    const events: MemberEvents = {
      message: (message) => this.onMessage(member, message),
      exit: (reason) => {
        markExited();
        if (member.handle) this.onExit(member, reason);
        else exitedEarly = reason;
      },
    };
    try {
      member.handle = this.options.spawn(events);
    } catch (error) {
      exitedEarly = error instanceof Error ? error.message : String(error);
      markExited();
    }
    if (exitedEarly !== undefined) {
      member.handle = { send: () => undefined, kill: () => undefined };
      this.onExit(member, exitedEarly);
      return;
    }
    member.watchdog = setTimeout(() => this.killMember(member), this.options.startTimeoutMs).unref();
  }

  // ——— helpers ———

  private idleMember(): Member | undefined {
    for (const member of this.members) if (member.state === "idle") return member;
    return undefined;
  }

  private hasWorkingMember(): boolean {
    for (const member of this.members) if (member.state !== "starting") return true;
    return false;
  }

  private isFullyReady(): boolean {
    return this.members.size >= this.options.size && this.stats().idle >= this.options.size;
  }

  private notifyReady(): void {
    if (!this.isFullyReady()) return;
    for (const waiter of this.readyWaiters.splice(0)) waiter.resolve();
  }

  private startError(): Error {
    return new Error(`the ${this.engine} sandbox cannot start its ${this.options.memberNoun === "process" ? "processes" : "workers"}: ${this.lastStartError || "unknown reason"}`);
  }
}
