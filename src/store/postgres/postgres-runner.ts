import pg from "pg";
import { StoreUnavailableError } from "../../errors.js";
import { isConnectionLost, isTransient, lostFailure, type PostgresLocation } from "./postgres-connection.js";

/** One change a transaction tells the other library instances about. */
export interface ChangeNotice {
  skillId: string;
  kind: "content" | "stats";
}

/** What a unit of work sees inside a transaction. */
export interface Transaction {
  /** Runs one statement on the transaction's connection; resolves to its rows. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Queues a change notice; it is sent with `pg_notify` just before `COMMIT`. */
  notify(notice: ChangeNotice): void;
}

/** How many times a whole transaction or read is tried before the error reaches the caller. */
export const MAX_ATTEMPTS = 5;
/** More notices than this in one transaction are sent as one "flush everything" notice. */
const MAX_NOTICES = 100;
/** `pg_notify` payloads must stay under 8000 bytes. */
const MAX_PAYLOAD_BYTES = 7900;

/**
 * Runs reads and write transactions on a `pg` pool with a bounded retry on transient errors
 * (serialization failures, deadlocks, lost connections). A write whose `COMMIT` went out on
 * a connection that then broke is not blindly retried: its transaction id's status
 * (`txid_status`) tells whether it committed, so nothing is applied twice and no
 * acknowledged write is lost.
 */
export class PostgresRunner {
  /** The connection pool (at most 10 connections; idle ones do not keep the process alive). */
  readonly pool: pg.Pool;
  private ended = false;

  constructor(
    private readonly location: PostgresLocation,
    /** This store's id in notice payloads, so the feed can skip its own changes. */
    private readonly origin: string,
  ) {
    this.pool = new pg.Pool({ ...location.config, max: 10, idleTimeoutMillis: 10_000, allowExitOnIdle: true });
    // An idle connection that dies is dropped by the pool; the next query opens a new one.
    this.pool.on("error", () => undefined);
    // A checked-out connection that dies reports it through its next query, not as a crash.
    this.pool.on("connect", (client) => client.on("error", () => undefined));
  }

  /** Runs one read statement (retried on transient errors). */
  query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    return this.withRetry(async () => (await this.pool.query(sql, params as unknown[])).rows as R[]);
  }

  /** Runs `work` in one transaction, retried as a whole on transient errors; notices go out with the commit. */
  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const notices: ChangeNotice[] = [];
      let client: pg.PoolClient | undefined;
      let phase: "work" | "commit" = "work";
      let xid: string | undefined;
      let result: T | undefined;
      try {
        client = await this.pool.connect();
        const connection = client;
        await connection.query("BEGIN");
        result = await work({
          query: async <R>(sql: string, params: readonly unknown[] = []) => (await connection.query(sql, params as unknown[])).rows as R[],
          notify: (notice) => notices.push(notice),
        });
        if (notices.length > 0) xid = await this.sendNotices(connection, notices);
        phase = "commit";
        await connection.query("COMMIT");
        connection.release();
        return result;
      } catch (error) {
        if (client) await this.discard(client, error, phase);
        if (phase === "commit" && isConnectionLost(error) && xid !== undefined) {
          // The COMMIT may or may not have reached the server: ask it.
          const status = await this.commitStatus(xid);
          if (status === "committed") return result as T;
          if (status === "unknown") {
            throw new StoreUnavailableError(
              `the connection to PostgreSQL at "${this.location.display}" broke during COMMIT and the outcome could not be checked; reload and verify before retrying`,
              error,
            );
          }
        }
        if (!isTransient(error) || attempt >= MAX_ATTEMPTS || this.ended) throw lostFailure(error, this.location, attempt);
        await sleep(backoffMs(attempt));
      }
    }
  }

  /** Ends every pooled connection (waits for checked-out ones). */
  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.pool.end();
  }

  private async withRetry<T>(run: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        if (!isTransient(error) || attempt >= MAX_ATTEMPTS || this.ended) throw lostFailure(error, this.location, attempt);
        await sleep(backoffMs(attempt));
      }
    }
  }

  /** Sends the notices and returns the transaction id (for a commit whose answer is lost). */
  private async sendNotices(client: pg.PoolClient, notices: readonly ChangeNotice[]): Promise<string> {
    const payloads = new Set<string>();
    for (const { skillId, kind } of notices) {
      const payload = JSON.stringify({ id: skillId, kind, o: this.origin });
      payloads.add(Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES ? JSON.stringify({ all: true, o: this.origin }) : payload);
    }
    const sent = payloads.size > MAX_NOTICES ? [JSON.stringify({ all: true, o: this.origin })] : [...payloads];
    const { rows } = await client.query<{ xid: string }>(
      "SELECT txid_current()::text AS xid, pg_notify($1, payload) FROM unnest($2::text[]) AS payload",
      [this.location.channel, sent],
    );
    return rows[0]?.xid as string;
  }

  /** Whether a transaction committed, asked on a fresh connection; "unknown" if that fails too. */
  private async commitStatus(xid: string): Promise<"committed" | "aborted" | "unknown"> {
    for (let round = 0; round < 100; round++) {
      try {
        const rows = await this.query<{ status: string | null }>("SELECT txid_status($1::bigint) AS status", [xid]);
        const status = rows[0]?.status;
        if (status === "committed") return "committed";
        if (status !== "in progress") return "aborted";
      } catch {
        return "unknown";
      }
      await sleep(20);
    }
    return "unknown";
  }

  /** Rolls back (or drops a broken connection) and gives the client back to the pool. */
  private async discard(client: pg.PoolClient, error: unknown, phase: "work" | "commit"): Promise<void> {
    if (isConnectionLost(error)) return client.release(error as Error);
    if (phase === "work") {
      try {
        await client.query("ROLLBACK");
      } catch (rollbackError) {
        return client.release(rollbackError as Error);
      }
    }
    client.release();
  }
}

function backoffMs(attempt: number): number {
  return Math.min(1000, 10 * 2 ** attempt) * (0.5 + Math.random());
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
