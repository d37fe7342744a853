import pg from "pg";
import type { StoreChange } from "../skill-store.js";
import { quoteIdent } from "./postgres-connection.js";

/**
 * Tells which skills other library instances changed. Every writing transaction sends
 * `pg_notify(channel, '{"id":…,"kind":…,"o":…}')` just before it commits; this feed holds one
 * dedicated connection (not from the pool) that `LISTEN`s on the channel. When that
 * connection is lost it reconnects with backoff and then reports `{ all: true }`, because
 * notifications sent while it was away are gone. Its socket and timers are unref'd, so it
 * never keeps a process alive; `stop()` ends it.
 */
export class PostgresChangeFeed {
  /** First wait before reconnecting, in ms (doubles on every failure). */
  static readonly FIRST_BACKOFF_MS = 50;
  /** Longest wait between reconnect attempts, in ms. */
  static readonly MAX_BACKOFF_MS = 5000;
  /** How often the connection is checked with a query, in ms (a silent network loss shows up). */
  static readonly HEARTBEAT_MS = 15_000;

  private readonly listeners = new Set<(changes: StoreChange[]) => void>();
  private client: pg.Client | undefined;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private backoffMs = PostgresChangeFeed.FIRST_BACKOFF_MS;
  private pending: StoreChange[] = [];
  private reconnects = 0;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly channel: string,
    /** Notices with this origin came from this store and are skipped. */
    private readonly origin: string,
  ) {}

  /** Connects and starts listening; rejects when the first connection fails. */
  async start(): Promise<void> {
    await this.connect();
    this.heartbeatTimer = setInterval(() => this.checkAlive(), PostgresChangeFeed.HEARTBEAT_MS);
    this.heartbeatTimer.unref();
  }

  /** Adds a listener; returns a function that removes it. */
  subscribe(listener: (changes: StoreChange[]) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** How many times the feed has reconnected since it started (for tests and diagnostics). */
  get reconnectCount(): number {
    return this.reconnects;
  }

  /** Ends the listening connection and every timer. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.heartbeatTimer);
    this.listeners.clear();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.config);
    this.client = client;
    client.on("error", () => this.lost(client));
    client.on("end", () => this.lost(client));
    client.on("notification", (message) => {
      if (message.channel === this.channel) this.receive(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdent(this.channel)}`);
    } catch (error) {
      this.lost(client);
      throw error;
    }
    if (client !== this.client) throw new Error("the LISTEN connection was lost while it started");
    (client as unknown as { unref(): void }).unref();
  }

  /** The connection broke (or ended): forget it and reconnect later. */
  private lost(client: pg.Client): void {
    if (client !== this.client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    if (!this.stopped) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer !== undefined) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.reconnect();
    }, this.backoffMs);
    this.reconnectTimer.unref();
  }

  private async reconnect(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.connect();
    } catch {
      this.backoffMs = Math.min(this.backoffMs * 2, PostgresChangeFeed.MAX_BACKOFF_MS);
      if (!this.stopped) this.scheduleReconnect();
      return;
    }
    if (this.stopped) return void (await this.stop());
    this.backoffMs = PostgresChangeFeed.FIRST_BACKOFF_MS;
    this.reconnects++;
    // Whatever changed while we were away was not heard: everything may be stale.
    this.deliver({ all: true });
  }

  private checkAlive(): void {
    const client = this.client;
    if (!client) return;
    const timeout = setTimeout(() => this.lost(client), 5000);
    timeout.unref();
    client.query("SELECT 1").then(
      () => clearTimeout(timeout),
      () => {
        clearTimeout(timeout);
        this.lost(client);
      },
    );
  }

  private receive(payload: string | undefined): void {
    let change: StoreChange = { all: true };
    try {
      const notice = JSON.parse(payload ?? "") as { id?: unknown; kind?: unknown; all?: unknown; o?: unknown };
      if (notice.o === this.origin) return;
      if (typeof notice.id === "string" && (notice.kind === "content" || notice.kind === "stats")) {
        change = { skillId: notice.id, kind: notice.kind };
      }
    } catch {
      // An unreadable notice: treat it as "anything may have changed".
    }
    this.deliver(change);
  }

  /** Collects changes for one tick, then hands them to every listener at once. */
  private deliver(change: StoreChange): void {
    this.pending.push(change);
    if (this.pending.length > 1) return;
    setImmediate(() => {
      const changes = this.pending;
      this.pending = [];
      for (const listener of this.listeners) {
        try {
          listener(changes);
        } catch {
          // A listener's error must not stop the others or the feed.
        }
      }
    });
  }
}
