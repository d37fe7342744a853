import { createServer, type Server, type Socket } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { StoreUnavailableError, openSkillLibrary } from "../../../src/index.js";
import { PostgresStore } from "../../../src/store/postgres/postgres-store.js";
import { PG_AVAILABLE, PG_BASE_URL, pgSchemaUrl } from "../../support/stores.js";

/** A TCP server on a free port that treats each connection with `onConnection`. */
async function fakeServer(onConnection: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return { server, port: address.port };
}

/** One protocol message: a type byte, a length, a body. */
function message(type: string, body: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeInt32BE(body.length + 4);
  return Buffer.concat([Buffer.from(type), length, body]);
}

/** Speaks just enough of the protocol to ask for a password and refuse it, as a real server does. */
function refusePassword(socket: Socket): void {
  let stage = 0;
  socket.on("data", () => {
    if (stage++ === 0) {
      const cleartext = Buffer.alloc(4);
      cleartext.writeInt32BE(3); // AuthenticationCleartextPassword
      socket.write(message("R", cleartext));
      return;
    }
    const fields = [["S", "FATAL"], ["V", "FATAL"], ["C", "28P01"], ["M", 'password authentication failed for user "postgres"']];
    const body = Buffer.concat([...fields.map(([k, v]) => Buffer.from(`${k}${v}\0`)), Buffer.from("\0")]);
    socket.end(message("E", body));
  });
  socket.on("error", () => undefined);
}

/** Opens a library and returns how it failed and how long that took. */
async function failure(store: string): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  try {
    const library = await openSkillLibrary({ store });
    await library.close();
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
  throw new Error(`opening ${store} did not fail`);
}

describe("postgres: a store that cannot be opened says why, quickly", () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((server) => server.close()));

  it("openSkillLibrary() - a server that is down (port 1): StoreUnavailableError at once", async () => {
    const { error, ms } = await failure("postgres://postgres@127.0.0.1:1/test");
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error).toMatchObject({ code: "STORE_UNAVAILABLE" });
    expect((error as Error).message).toMatch(/connection refused.*start PostgreSQL/);
    expect(ms).toBeLessThan(3000);
  });

  it("openSkillLibrary() - a wrong password: StoreUnavailableError naming the login, password hidden", async () => {
    const { server, port } = await fakeServer(refusePassword);
    servers.push(server);
    const { error, ms } = await failure(`postgres://postgres:s3cret-pw@127.0.0.1:${port}/test`);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toMatch(/cannot log in.*password authentication failed.*check the user name and password/);
    expect((error as Error).message).not.toContain("s3cret-pw");
    expect(ms).toBeLessThan(3000);
  });

  it("openSkillLibrary() - a server that never answers: StoreUnavailableError after the 5 s connect timeout", async () => {
    const { server, port } = await fakeServer((socket) => socket.on("error", () => undefined));
    servers.push(server);
    const { error, ms } = await failure(`postgres://postgres@127.0.0.1:${port}/test`);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toMatch(/did not answer within 5 s/);
    expect(ms).toBeLessThan(8000);
  });

  it("PostgresStore.open() - a malformed URL: StoreUnavailableError; openSkillLibrary() refuses it as an argument", async () => {
    await expect(PostgresStore.open("postgres://[bad")).rejects.toMatchObject({ code: "STORE_UNAVAILABLE", message: expect.stringMatching(/not a valid PostgreSQL URL/) });
    await expect(openSkillLibrary({ store: "postgres://[bad" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("openSkillLibrary() - a schema name that is not an identifier is refused before connecting", async () => {
    for (const schema of ["a-b", "1abc", "pg_mine", "x".repeat(64), 'a"b', "a;drop"]) {
      await expect(openSkillLibrary({ store: `postgres://postgres@127.0.0.1:1/test?schema=${encodeURIComponent(schema)}` })).rejects.toMatchObject({
        code: "INVALID_ARGUMENT",
        argument: "store",
      });
    }
  });

  describe.skipIf(!PG_AVAILABLE)("on the real server", () => {
    it("openSkillLibrary() - a database that does not exist: StoreUnavailableError naming it", async () => {
      const url = new URL(PG_BASE_URL);
      url.pathname = "/no_such_database_here";
      const { error, ms } = await failure(url.toString());
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toMatch(/"no_such_database_here" does not exist.*createdb/);
      expect(ms).toBeLessThan(3000);
    });

    it("openSkillLibrary() - a user that does not exist: StoreUnavailableError about the login", async () => {
      const url = new URL(PG_BASE_URL);
      url.username = "no_such_user_here";
      const { error } = await failure(url.toString());
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toMatch(/cannot log in.*no_such_user_here/);
    });

    it("openSkillLibrary() - the error keeps the driver's error as its cause", async () => {
      const url = new URL(pgSchemaUrl());
      url.pathname = "/no_such_database_here";
      const { error } = await failure(url.toString());
      expect((error as StoreUnavailableError).cause).toMatchObject({ code: "3D000" });
    });
  });
});
