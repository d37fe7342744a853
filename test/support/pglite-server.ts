import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import type { PGlite } from "@electric-sql/pglite";

/**
 * A PostgreSQL server for the tests where no real one is reachable: the wire protocol on a
 * local TCP port, served by one in-process PGlite (PostgreSQL compiled to WASM), so the real
 * `PostgresStore` (a `pg` pool plus its LISTEN connection) connects to it unchanged.
 *
 * PGlite has one session; this server shares it between any number of connections, each of
 * which sees what it would see on a server of its own:
 * - **One unit at a time.** A simple query, or extended-protocol messages up to `Sync`, run
 *   whole; a connection that leaves a transaction open keeps the session until it ends it, so
 *   transactions of different connections run one after another (never interleaved).
 * - **Its own names.** Named statements and portals are renamed per connection (the store's
 *   connections all prepare the same names).
 * - **Its own `search_path`**, from the startup `options=-c search_path=…` (PGlite ignores
 *   startup options), set whenever the session passes to another connection.
 * - **Its own notifications.** PGlite hands a notice to the session that committed it; here it
 *   goes to every connection that ran `LISTEN` on its channel instead.
 *
 * `@electric-sql/pglite-socket` cannot do this: it interleaves single messages of different
 * connections on the one session (one connection's `Parse`, another's `Bind`), shares statement
 * names, ignores startup options and delivers notifications to the committer.
 *
 * The database is created on the first query (several seconds), not when the server starts.
 * Not a real server: no authentication, no concurrency between transactions, no
 * `pg_terminate_backend`, and cancel requests only drop their connection.
 *
 * @example
 * const server = await PgliteServer.start();
 * const store = await PostgresStore.open(`${server.url}?schema=t1`);
 */
export class PgliteServer {
  private db: Promise<PGlite> | undefined;
  private readonly waiting: Connection[] = [];
  /** The connection the session belongs to: it is in a transaction, or inside an extended query. */
  private owner: Connection | undefined;
  private running = false;
  private sessionPath: string | undefined;
  private nextId = 1;
  private readonly connections = new Set<Connection>();

  private constructor(private readonly server: Server) {}

  /** Listens on a free port of 127.0.0.1; the server and its sockets never keep the process alive. */
  static async start(): Promise<PgliteServer> {
    const server = createServer();
    const pglite = new PgliteServer(server);
    server.on("connection", (socket) => pglite.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    server.unref();
    return pglite;
  }

  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${(this.server.address() as AddressInfo).port}/postgres`;
  }

  /** Drops every connection, stops listening and closes the database. */
  async close(): Promise<void> {
    for (const connection of this.connections) connection.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.db) await (await this.db).close();
  }

  private database(): Promise<PGlite> {
    this.db ??= import("@electric-sql/pglite").then(({ PGlite }) => PGlite.create());
    return this.db;
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    socket.unref();
    const connection: Connection = {
      id: this.nextId++, socket, input: Buffer.alloc(0), started: false, searchPath: "public",
      units: [], gathering: [], statements: new Set(), channels: new Set(), closed: false,
    };
    this.connections.add(connection);
    socket.on("data", (data) => this.receive(connection, data));
    socket.on("error", () => this.drop(connection));
    socket.on("close", () => this.drop(connection));
  }

  private receive(connection: Connection, data: Buffer): void {
    if (connection.closed) return;
    connection.input = Buffer.concat([connection.input, data]);
    while (!connection.closed) {
      const input = connection.input;
      if (!connection.started) {
        if (input.length < 8 || input.length < input.readInt32BE(0)) return;
        const length = input.readInt32BE(0);
        connection.input = input.subarray(length);
        this.startup(connection, input.subarray(4, length));
        continue;
      }
      if (input.length < 5 || input.length < 1 + input.readInt32BE(1)) return;
      const length = 1 + input.readInt32BE(1);
      connection.input = input.subarray(length);
      this.message(connection, Buffer.from(input.subarray(0, length)));
    }
  }

  /** SSLRequest (refused), CancelRequest (drops the connection) or the startup message. */
  private startup(connection: Connection, body: Buffer): void {
    const code = body.readInt32BE(0);
    if (code === SSL_REQUEST) return void connection.socket.write("N");
    if (code === CANCEL_REQUEST) return void connection.socket.destroy();
    const fields = body.subarray(4).toString("utf8").split("\0");
    for (let i = 0; i + 1 < fields.length; i += 2) {
      if (fields[i] !== "options") continue;
      const path = /(?:^|\s)-c\s*search_path=(\S+)/.exec(fields[i + 1] ?? "")?.[1];
      if (path) connection.searchPath = path;
    }
    connection.started = true;
    connection.socket.write(startupReply(connection.id));
  }

  private message(connection: Connection, message: Buffer): void {
    const type = String.fromCharCode(message[0] as number);
    if (type === "X") return void connection.socket.end();
    if (type === "Q") this.watchListen(connection, message.subarray(5, message.length - 1).toString("utf8"));
    connection.gathering.push(renameIn(connection, type, message));
    if (type === "Q" || type === "S" || type === "H") {
      connection.units.push({ data: Buffer.concat(connection.gathering), complete: type !== "H" });
      connection.gathering = [];
      this.waiting.push(connection);
      void this.pump();
    }
  }

  private watchListen(connection: Connection, sql: string): void {
    const listen = /^\s*(UN)?LISTEN\s+("(?:[^"]|"")+"|[^\s;]+)\s*;?\s*$/i.exec(sql);
    if (!listen) return;
    const channel = unquote(listen[2] as string);
    if (!listen[1]) connection.channels.add(channel);
    else if (channel === "*") connection.channels.clear();
    else connection.channels.delete(channel);
  }

  /** Runs waiting units one at a time, keeping the session with its owner while it has one. */
  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        const connection = this.owner ?? this.waiting.find((c) => c.units.length > 0);
        const unit = connection?.units.shift();
        if (!connection || !unit) break;
        if (connection !== this.owner) this.waiting.splice(this.waiting.indexOf(connection), 1);
        await this.run(connection, unit);
      }
      this.waiting.splice(0, this.waiting.length, ...this.waiting.filter((c) => c.units.length > 0));
    } finally {
      this.running = false;
    }
  }

  private async run(connection: Connection, unit: Unit): Promise<void> {
    let output: Buffer;
    try {
      const db = await this.database();
      if (this.owner !== connection && this.sessionPath !== connection.searchPath) {
        await db.execProtocolRaw(simpleQuery(`SET search_path TO ${connection.searchPath}`));
        this.sessionPath = connection.searchPath;
      }
      output = Buffer.from(await db.execProtocolRaw(unit.data));
    } catch {
      // PGlite reports SQL errors in its output; a throw means the session itself failed.
      this.owner = undefined;
      connection.socket.destroy();
      return;
    }
    let status = "";
    const reply: Buffer[] = [];
    for (let at = 0; at < output.length; ) {
      const end = at + 1 + output.readInt32BE(at + 1);
      const message = output.subarray(at, end);
      if (message[0] === 0x41 /* A: notification */) this.notify(message);
      else reply.push(message);
      if (message[0] === 0x5a /* Z: ready for query */) status = String.fromCharCode(message[5] as number);
      at = end;
    }
    if (!unit.discard && connection.socket.writable) connection.socket.write(Buffer.concat(reply));
    this.owner = unit.complete && status === "I" ? undefined : connection;
  }

  /** Sends a notification to every connection listening on its channel. */
  private notify(message: Buffer): void {
    const channel = message.subarray(9, message.indexOf(0, 9)).toString("utf8");
    for (const connection of this.connections) {
      if (!connection.closed && connection.channels.has(channel) && connection.socket.writable) connection.socket.write(message);
    }
  }

  /** A connection ended: its open transaction is rolled back and its statements closed. */
  private drop(connection: Connection): void {
    if (connection.closed) return;
    connection.closed = true;
    this.connections.delete(connection);
    connection.units = [];
    const cleanup = [...connection.statements].map((name) => frontend("C", Buffer.from("S"), cstring(name)));
    if (this.owner === connection) cleanup.unshift(frontend("S"), simpleQuery("ROLLBACK"));
    if (cleanup.length === 0) return;
    connection.units.push({ data: Buffer.concat([...cleanup, frontend("S")]), complete: true, discard: true });
    this.waiting.push(connection);
    void this.pump();
  }
}

interface Unit {
  data: Buffer;
  /** Ends with `Sync` or is a simple query (not a `Flush` in the middle of an extended query). */
  complete: boolean;
  /** The connection is gone: run it, send nothing. */
  discard?: boolean;
}

interface Connection {
  id: number;
  socket: Socket;
  input: Buffer;
  started: boolean;
  searchPath: string;
  units: Unit[];
  gathering: Buffer[];
  statements: Set<string>;
  channels: Set<string>;
  closed: boolean;
}

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;

/** The message with its statement and portal names made this connection's own. */
function renameIn(connection: Connection, type: string, message: Buffer): Buffer {
  const own = (name: string) => (name === "" ? "" : `c${connection.id}_${name}`);
  const body = message.subarray(5);
  const [first, afterFirst] = readCString(body, 0);
  if (type === "P") {
    connection.statements.add(own(first));
    return frontend("P", cstring(own(first)), body.subarray(afterFirst));
  }
  if (type === "E") return frontend("E", cstring(own(first)), body.subarray(afterFirst));
  if (type === "B") {
    const [statement, afterStatement] = readCString(body, afterFirst);
    return frontend("B", cstring(own(first)), cstring(own(statement)), body.subarray(afterStatement));
  }
  if (type === "D" || type === "C") {
    const [name] = readCString(body, 1);
    if (type === "C" && body[0] === 0x53) connection.statements.delete(own(name));
    return frontend(type, body.subarray(0, 1), cstring(own(name)));
  }
  return message;
}

function readCString(buffer: Buffer, at: number): [string, number] {
  const end = buffer.indexOf(0, at);
  return [buffer.subarray(at, end).toString("utf8"), end + 1];
}

function cstring(text: string): Buffer {
  return Buffer.from(`${text}\0`, "utf8");
}

function unquote(identifier: string): string {
  return identifier.startsWith('"') ? identifier.slice(1, -1).replaceAll('""', '"') : identifier.toLowerCase();
}

/** A protocol message: type byte, length, body. */
function frontend(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(5);
  head.write(type, 0, "latin1");
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function simpleQuery(sql: string): Buffer {
  return frontend("Q", cstring(sql));
}

/** AuthenticationOk, the parameters `pg` reads, BackendKeyData, ReadyForQuery. */
function startupReply(id: number): Buffer {
  const parameters: Record<string, string> = {
    server_version: "18.6", server_encoding: "UTF8", client_encoding: "UTF8", DateStyle: "ISO, MDY",
    integer_datetimes: "on", standard_conforming_strings: "on", TimeZone: "UTC", is_superuser: "on",
  };
  const key = Buffer.alloc(8);
  key.writeInt32BE(id, 0);
  return Buffer.concat([
    frontend("R", Buffer.alloc(4)),
    ...Object.entries(parameters).map(([name, value]) => frontend("S", cstring(name), cstring(value))),
    frontend("K", key),
    frontend("Z", Buffer.from("I")),
  ]);
}
