import { AbortError } from "../errors.js";

/** Releases a held lock; calling it again does nothing. Also `Disposable`, for `using`. */
export interface LockRelease extends Disposable {
  (): void;
}

/** Options of a lock request. */
export interface LockOptions {
  /** Stops waiting (the request leaves the queue) and rejects with `AbortError`. */
  signal?: AbortSignal;
}

interface Waiter {
  kind: "read" | "write";
  grant: () => void;
}

/**
 * Many readers or one writer, first come first served: a request waits only for the
 * requests queued before it, and adjacent waiting readers enter together, so a writer is
 * never starved by later readers, nor readers by later writers. It orders work inside one
 * process; across processes the store's transactions do.
 *
 * @example
 * const lock = new AsyncRWLock();
 * const skill = await lock.withRead(() => store.get(id));
 * {
 *   using release = await lock.writeLock();
 *   await store.save(request);
 * }
 */
export class AsyncRWLock {
  private activeReaders = 0;
  private writing = false;
  private readonly queue: Waiter[] = [];

  /** Readers holding the lock now. */
  get readers(): number {
    return this.activeReaders;
  }

  /** Whether a writer holds the lock now. */
  get writer(): boolean {
    return this.writing;
  }

  /** Requests waiting for the lock. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Waits for shared access. */
  readLock(options: LockOptions = {}): Promise<LockRelease> {
    return this.acquire("read", options);
  }

  /** Waits for exclusive access. */
  writeLock(options: LockOptions = {}): Promise<LockRelease> {
    return this.acquire("write", options);
  }

  /** Runs `fn` holding shared access; releases even when `fn` throws. */
  async withRead<T>(fn: () => T | Promise<T>, options: LockOptions = {}): Promise<T> {
    const release = await this.readLock(options);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Runs `fn` holding exclusive access; releases even when `fn` throws. */
  async withWrite<T>(fn: () => T | Promise<T>, options: LockOptions = {}): Promise<T> {
    const release = await this.writeLock(options);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  private acquire(kind: "read" | "write", { signal }: LockOptions): Promise<LockRelease> {
    if (signal?.aborted) return Promise.reject(new AbortError("stopped waiting for the lock: the signal was aborted"));
    if (this.queue.length === 0 && this.canEnter(kind)) {
      this.enter(kind);
      return Promise.resolve(this.releaser(kind));
    }
    return new Promise<LockRelease>((resolve, reject) => {
      const onAbort = () => {
        const index = this.queue.indexOf(waiter);
        if (index >= 0) this.queue.splice(index, 1);
        reject(new AbortError("stopped waiting for the lock: the signal was aborted"));
        this.drain();
      };
      const waiter: Waiter = {
        kind,
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          this.enter(kind);
          resolve(this.releaser(kind));
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  private canEnter(kind: "read" | "write"): boolean {
    return kind === "read" ? !this.writing : !this.writing && this.activeReaders === 0;
  }

  private enter(kind: "read" | "write"): void {
    if (kind === "read") this.activeReaders++;
    else this.writing = true;
  }

  private releaser(kind: "read" | "write"): LockRelease {
    let released = false;
    const release = (() => {
      if (released) return;
      released = true;
      if (kind === "read") this.activeReaders--;
      else this.writing = false;
      this.drain();
    }) as LockRelease;
    release[Symbol.dispose] = release;
    return release;
  }

  /** Grants the head of the queue: one writer, or every adjacent reader. */
  private drain(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0] as Waiter;
      if (!this.canEnter(head.kind)) return;
      this.queue.shift();
      head.grant();
      if (head.kind === "write") return;
    }
  }
}
