import { recordFeature } from "../report.js";

/**
 * What the LangGraph stores do not offer (and the one or two things they offer that we do
 * not), recorded as rows of the peer table rather than left out. Text only: each line is a
 * property of the API (read from both libraries' type declarations), not a measurement — but
 * whether our library used the embedder it was given comes from the run.
 */
export function recordPeerFeatures(ourEmbedderUsed: boolean | undefined): void {
  const embedding =
    ourEmbedderUsed === undefined
      ? "optional `embedder` option (not exercised in this run)"
      : ourEmbedderUsed
        ? "yes: optional `embedder`, fused with the lexical ranking (called in this run)"
        : "accepted as an option, but this build did not call it (lexical search only)";
  const rows: [feature: string, ours: string, inMemory: string, postgres: string][] = [
    ["compare-and-swap write", "yes: addSkill({ expectedVersion }) → VersionConflictError", "no: put overwrites (last writer wins)", "no: INSERT … ON CONFLICT DO UPDATE (last writer wins)"],
    ["version history and restore", "yes: every saved change is an immutable version; restoreVersion", "no: one value per key", "no: one value per key"],
    ["run stored code with a hard timeout", "yes: sandboxed executeSkill, stopped at the deadline", "no: stores data only", "no: stores data only"],
    ["run statistics per item", "yes: executions, success rate, p95 duration", "no", "no"],
    ["search without an embedding model", "yes: lexical (FTS5 / tsvector) with word forms, synonyms, typo fixes", "no: without an index the query is ignored (filter only)", "yes: full-text mode, computed per row at query time (no index)"],
    ["embedding search", embedding, "yes: brute-force cosine in the JS heap", "yes, with the pgvector extension on the server"],
    ["durable embedded storage", "yes: SQLite file (WAL)", "no: lost when the process exits", "no: needs a PostgreSQL server"],
    ["cache with cross-process invalidation", "yes: LRU + change feed (SQLite change log, PostgreSQL LISTEN/NOTIFY)", "n/a: one process", "no cache"],
    ["synchronous reads", "yes: getSkillSync / searchSkillsSync (SQLite)", "no", "no"],
    ["time-to-live expiry", "no", "no", "yes: ttl per item, swept on a timer"],
    ["hierarchical namespaces", "no: category and tags", "yes", "yes"],
  ];
  for (const [feature, ours, inMemory, postgres] of rows) {
    recordFeature({ feature, ours, peers: { "LangGraph InMemoryStore": inMemory, "LangGraph PostgresStore": postgres } });
  }
}
