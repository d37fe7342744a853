import { createHash } from "node:crypto";
import pg from "pg";
import { StoreUnavailableError } from "../../errors.js";
import { isConnectionLost, isTransient, lostFailure, type PostgresLocation } from "./postgres-connection.js";

/** One change a transaction tells the other library instances about. */
export interface ChangeNotice {
  skillId: string;
  kind: "content" | "stats";
}

/** A statement's text, or a named statement (prepared once per connection, then only bound and run). */
export type Sql = string | Statement;

/** A statement `pg` prepares once per connection under its name. */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

const statements = new Map<string, Statement>();

/**
 * A named statement for SQL that runs often: each connection parses and plans it once. The
 * name comes from the text, so the same text always gets the same name.
 */
export function prepared(text: string): Statement {
  let statement = statements.get(text);
  if (!statement) {
    statement = { name: `sl_${createHash("sha256").update(text).digest("hex").slice(0, 24)}`, text };
    statements.set(text, statement);
  }
  return statement;
}

/** What a unit of work sees inside a transaction. */
export interface Transaction {
  /** Runs one statement on the transaction's connection; resolves to its rows. */
  query<R = Record<string, unknown>>(sql: Sql, params?: readonly unknown[]): Promise<R[]>;
  /** Queues a change notice; it is sent with `pg_notify` just before `COMMIT`. */
  notify(notice: ChangeNotice): void;
  /**
   * Queues the transaction's last write (`INSERT`, `UPDATE` or `DELETE`, no result needed): it
   * goes to the server in the same round trip as the notices, just before `COMMIT`, which
   * shortens the time the transaction holds its row locks.
   */
  atCommit(sql: string, params: readonly unknown[]): void;
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

  /**
   * Runs one statement in its own transaction, retried on transient errors: a read, or a write
   * that is safe to send again after a lost answer (as the save's request id makes it). The
   * values can depend on the attempt (1 for the first), so a resend can say it is one.
   */
  query<R = Record<string, unknown>>(sql: Sql, params: readonly unknown[] | ((attempt: number) => readonly unknown[]) = []): Promise<R[]> {
    return this.withRetry(async (attempt) => (await this.pool.query(config(sql, typeof params === "function" ? params(attempt) : params))).rows as R[]);
  }

  /** Runs `work` in one transaction, retried as a whole on transient errors; notices go out with the commit. */
  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const notices: ChangeNotice[] = [];
      let last: { sql: string; params: readonly unknown[] } | undefined;
      let client: pg.PoolClient | undefined;
      let phase: "work" | "commit" = "work";
      let xid: string | undefined;
      let result: T | undefined;
      try {
        client = await this.pool.connect();
        const connection = client;
        await connection.query("BEGIN");
        result = await work({
          query: async <R>(sql: Sql, params: readonly unknown[] = []) => (await connection.query(config(sql, params))).rows as R[],
          notify: (notice) => notices.push(notice),
          atCommit: (sql, params) => {
            if (last) throw new Error("a transaction has one atCommit statement");
            last = { sql, params };
          },
        });
        if (notices.length > 0) xid = await this.sendNotices(connection, notices, last);
        else if (last) await connection.query(config(last.sql, last.params));
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

  /**
   * The channel and payload of a notice that a statement sends itself with `pg_notify` (a save
   * in one statement): `{"id":…,"kind":…,"o":…}`, or "everything" when that is too long.
   */
  notice(notice: ChangeNotice): [channel: string, payload: string] {
    return [this.location.channel, this.payload(notice)];
  }

  /** Ends every pooled connection (waits for checked-out ones). */
  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.pool.end();
  }

  private async withRetry<T>(run: (attempt: number) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run(attempt);
      } catch (error) {
        if (!isTransient(error) || attempt >= MAX_ATTEMPTS || this.ended) throw lostFailure(error, this.location, attempt);
        await sleep(backoffMs(attempt));
      }
    }
  }

  /**
   * Sends the notices (after `last`, the transaction's last write, in the same statement) and
   * returns the transaction id (for a commit whose answer is lost).
   */
  private async sendNotices(client: pg.PoolClient, notices: readonly ChangeNotice[], last?: { sql: string; params: readonly unknown[] }): Promise<string> {
    const payloads = new Set(notices.map((notice) => this.payload(notice)));
    const sent = payloads.size > MAX_NOTICES ? [JSON.stringify({ all: true, o: this.origin })] : [...payloads];
    const params = [...(last?.params ?? []), this.location.channel, sent];
    const n = params.length;
    const send = `SELECT txid_current()::text AS xid, pg_notify($${n - 1}, payload) FROM unnest($${n}::text[]) AS payload`;
    // A data-modifying WITH runs exactly once, whether or not the query reads it.
    const { rows } = await client.query<{ xid: string }>(config(prepared(last ? `WITH last AS (${last.sql}) ${send}` : send), params));
    return rows[0]?.xid as string;
  }

  private payload({ skillId, kind }: ChangeNotice): string {
    const payload = JSON.stringify({ id: skillId, kind, o: this.origin });
    return Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES ? JSON.stringify({ all: true, o: this.origin }) : payload;
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

/** The `pg` query config of a statement and its values. */
function config(sql: Sql, params: readonly unknown[]): pg.QueryConfig {
  return typeof sql === "string" ? { text: sql, values: params as unknown[] } : { name: sql.name, text: sql.text, values: params as unknown[] };
}

function backoffMs(attempt: number): number {
  return Math.min(1000, 10 * 2 ** attempt) * (0.5 + Math.random());
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
