import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AbortError } from "../../src/errors.js";
import { AsyncRWLock } from "../../src/lock/async-rw-lock.js";

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("AsyncRWLock", () => {
  it("never lets a reader beside a writer, nor two writers (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.boolean(), fc.nat(3)), { minLength: 1, maxLength: 40 }), async (ops) => {
        const lock = new AsyncRWLock();
        let readers = 0;
        let writers = 0;
        let violations = 0;
        let maxReaders = 0;
        await Promise.all(
          ops.map(([write, pauses]) =>
            (write ? lock.withWrite.bind(lock) : lock.withRead.bind(lock))(async () => {
              if (write) writers++;
              else readers++;
              maxReaders = Math.max(maxReaders, readers);
              if (writers > 1 || (writers > 0 && readers > 0)) violations++;
              for (let i = 0; i < pauses; i++) await tick();
              if (writers > 1 || (writers > 0 && readers > 0)) violations++;
              if (write) writers--;
              else readers--;
            }),
          ),
        );
        expect(violations).toBe(0);
        expect(lock.readers + lock.waiting).toBe(0);
        expect(lock.writer).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it("is FIFO: a writer queued before later readers goes first, adjacent readers enter together", async () => {
    const lock = new AsyncRWLock();
    const order: string[] = [];
    const releaseFirst = await lock.readLock();
    const w = lock.withWrite(async () => void order.push("w1"));
    const r2 = lock.withRead(async () => void order.push("r2"));
    const r3 = lock.withRead(async () => {
      order.push("r3");
      expect(lock.readers).toBe(2);
    });
    const w2 = lock.withWrite(async () => void order.push("w2"));
    await tick();
    expect(order).toEqual([]);
    expect(lock.waiting).toBe(4);
    releaseFirst();
    await Promise.all([w, r2, r3, w2]);
    expect(order).toEqual(["w1", "r2", "r3", "w2"]);
  });

  it("readLock() - many readers share the lock at once", async () => {
    const lock = new AsyncRWLock();
    const releases = await Promise.all(Array.from({ length: 50 }, () => lock.readLock()));
    expect(lock.readers).toBe(50);
    for (const release of releases) release();
    expect(lock.readers).toBe(0);
  });

  it("writeLock() - a signal stops waiting with AbortError and the queue moves on", async () => {
    const lock = new AsyncRWLock();
    const held = await lock.readLock();
    const controller = new AbortController();
    const waitingWriter = lock.writeLock({ signal: controller.signal });
    const laterReader = lock.readLock();
    controller.abort();
    await expect(waitingWriter).rejects.toBeInstanceOf(AbortError);
    const release = await laterReader;
    expect(lock.readers).toBe(2);
    release();
    held();
    await expect(lock.writeLock({ signal: AbortSignal.abort() })).rejects.toMatchObject({ code: "ABORTED" });
  });

  it("the release is Disposable (using) and idempotent", async () => {
    const lock = new AsyncRWLock();
    {
      using _release = await lock.writeLock();
      expect(lock.writer).toBe(true);
    }
    expect(lock.writer).toBe(false);
    const release = await lock.readLock();
    release();
    release();
    expect(lock.readers).toBe(0);
  });

  it("withWrite() - releases when the function throws", async () => {
    const lock = new AsyncRWLock();
    await expect(lock.withWrite(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(lock.writer).toBe(false);
    await expect(lock.withRead(() => 7)).resolves.toBe(7);
  });
});
