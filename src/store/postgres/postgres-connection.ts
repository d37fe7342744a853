import { createHash } from "node:crypto";
import type { ClientConfig } from "pg";
import { InvalidArgumentError, StoreUnavailableError } from "../../errors.js";
import { redact } from "../../library/library-options.js";

/** Where a PostgreSQL store lives: the driver's settings, the schema, and the change channel. */
export interface PostgresLocation {
  /** Settings for `pg` (the URL without `?schema`, plus the search path). */
  config: ClientConfig;
  /** The schema that holds the tables (`?schema=NAME`). @default "public" */
  schema: string;
  /** The `LISTEN`/`pg_notify` channel of this schema. */
  channel: string;
  /** The URL with its password hidden, for messages. */
  display: string;
}

/** How long a new connection may take before the store gives up on it, in ms. */
export const CONNECT_TIMEOUT_MS = 5000;

/** A schema name we accept: an SQL identifier of letters, digits and `_`, at most 63 bytes. */
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Reads a `postgres://` URL: takes `?schema=NAME` out (the driver does not know it), checks
 * the name, and sets the connection's `search_path` to it.
 *
 * @example
 * parsePostgresUrl("postgres://u@db:5432/app?schema=team_a").schema // "team_a"
 */
export function parsePostgresUrl(url: string): PostgresLocation {
  const display = redact(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new StoreUnavailableError(`"${display}" is not a valid PostgreSQL URL; use postgres://user:password@host:5432/database`, error);
  }
  const schema = parsed.searchParams.get("schema") ?? "public";
  if (!SCHEMA_NAME.test(schema) || schema.toLowerCase().startsWith("pg_")) {
    throw new InvalidArgumentError(
      "store",
      `schema ${JSON.stringify(schema)} in "${display}" is not a usable schema name; use 1-63 letters, digits and _ (not starting with a digit or pg_), e.g. ?schema=team_a`,
    );
  }
  const extraOptions = parsed.searchParams.get("options");
  parsed.searchParams.delete("schema");
  parsed.searchParams.delete("options");
  const config: ClientConfig = {
    connectionString: parsed.toString(),
    options: [extraOptions, `-c search_path="${schema}"`].filter(Boolean).join(" "),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    fallback_application_name: "skill-library",
    keepAlive: true,
  };
  return { config, schema, channel: channelName(schema), display };
}

/** The notification channel of a schema: `skill_library_<schema>`, hashed when that is over 63 bytes. */
export function channelName(schema: string): string {
  const plain = `skill_library_${schema}`;
  return plain.length <= 63 ? plain : `skill_library_${createHash("sha256").update(schema).digest("hex").slice(0, 40)}`;
}

/** An SQL identifier in double quotes. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** SQLSTATEs and socket errors worth retrying a whole transaction for. */
const TRANSIENT_CODES = new Set([
  "40001", // serialization_failure
  "40P01", // deadlock_detected
  "57P01", // admin_shutdown (pg_terminate_backend)
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up)
  "08000", "08001", "08003", "08004", "08006", "08007", // connection exceptions
  "53300", // too_many_connections
  "ECONNRESET", "EPIPE", "ECONNREFUSED", "ETIMEDOUT", "EAI_AGAIN",
]);

/** SQLSTATEs that do not break the connection itself. */
const SESSION_SAFE_CODES = new Set(["40001", "40P01"]);

const LOST_CONNECTION = /Connection terminated|not queryable|terminating connection|Client was closed|Connection ended|socket hang up/i;

/** The error's SQLSTATE or socket code, if any. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Whether a whole transaction may be retried after this error. */
export function isTransient(error: unknown): boolean {
  const code = errorCode(error);
  if (code !== undefined && TRANSIENT_CODES.has(code)) return true;
  return error instanceof Error && LOST_CONNECTION.test(error.message);
}

/** Whether this error left the connection unusable (it must leave the pool). */
export function isConnectionLost(error: unknown): boolean {
  const code = errorCode(error);
  return isTransient(error) && !(code !== undefined && SESSION_SAFE_CODES.has(code));
}

/** The error a caller sees when the store cannot be opened: what went wrong and what to do. */
export function openFailure(error: unknown, location: { display: string }): Error {
  if (error instanceof StoreUnavailableError || error instanceof InvalidArgumentError) return error;
  const at = `PostgreSQL at "${location.display}"`;
  const message = error instanceof Error ? error.message : String(error);
  const code = errorCode(error);
  let text: string;
  if (code === "28P01" || code === "28000") {
    text = `cannot log in to ${at}: ${message}; check the user name and password in the store URL`;
  } else if (code === "3D000") {
    text = `${at}: ${message}; create it (createdb NAME) or fix the database name in the store URL`;
  } else if (code === "ECONNREFUSED") {
    text = `no server is listening for ${at} (connection refused); start PostgreSQL or fix the host and port in the store URL`;
  } else if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    text = `the host of ${at} cannot be found (${message}); fix the host name in the store URL`;
  } else if (/timeout/i.test(message)) {
    text = `${at} did not answer within ${CONNECT_TIMEOUT_MS / 1000} s (${message}); check that the server is up and reachable`;
  } else if (code === "42501") {
    text = `${at} refused to set up the store: ${message}; grant this user CREATE on the database, or use ?schema= of a schema it owns`;
  } else {
    text = `cannot open the skill store at ${at}: ${message}`;
  }
  return new StoreUnavailableError(text, error);
}

/** The error a caller sees when the store was reachable but is not now (retries used up). */
export function lostFailure(error: unknown, location: { display: string }, attempts: number): Error {
  if (!isTransient(error)) return error instanceof Error ? error : new Error(String(error));
  const message = error instanceof Error ? error.message : String(error);
  return new StoreUnavailableError(
    `PostgreSQL at "${location.display}" failed ${attempts} time${attempts === 1 ? "" : "s"} in a row (${message}); check the server and retry`,
    error,
  );
}
