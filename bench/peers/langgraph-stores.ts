import { InMemoryStore, type BaseStore, type IndexConfig } from "@langchain/langgraph-checkpoint";
import { PostgresStore } from "@langchain/langgraph-checkpoint-postgres/store";
import type { SkillInput } from "../../src/index.js";
import type { HashedStemEmbedder } from "../test-embedder.js";
import { skillValue, type PeerStore } from "./peer-store.js";

/** The namespace every skill is stored under on the LangGraph side. */
const NAMESPACE = ["skills"];

/** Puts per `batch()` call while loading (one call for the in-memory store; bounded for PostgreSQL). */
const LOAD_CHUNK = 1_000;

/** A LangGraph `BaseStore` behind the peer suite's calls. */
class LangGraphPeerStore implements PeerStore {
  constructor(
    readonly name: string,
    readonly searchNote: string,
    readonly embeds: boolean,
    private readonly store: BaseStore,
    private readonly loadChunk: number,
    private readonly onClose: () => Promise<void>,
  ) {}

  async load(skills: readonly SkillInput[]): Promise<void> {
    for (let from = 0; from < skills.length; from += this.loadChunk) {
      await this.store.batch(skills.slice(from, from + this.loadChunk).map((skill) => ({ namespace: NAMESPACE, key: skill.id, value: skillValue(skill) })));
    }
  }

  put(skill: SkillInput): Promise<void> {
    return this.store.put(NAMESPACE, skill.id, skillValue(skill));
  }

  get(id: string): Promise<unknown> {
    return this.store.get(NAMESPACE, id);
  }

  /** The same call: the LangGraph stores have no cache in front of their storage. */
  getUncached(id: string): Promise<unknown> {
    return this.store.get(NAMESPACE, id);
  }

  search(query: string, category: string): Promise<unknown[]> {
    return this.store.search(NAMESPACE, { query, filter: { category }, limit: 10 });
  }

  list(category: string): Promise<unknown[]> {
    return this.store.search(NAMESPACE, { filter: { category }, limit: 10 });
  }

  close(): Promise<void> {
    return this.onClose();
  }
}

/** The embedding index both LangGraph stores get: the test embedder over the `text` field. */
function indexConfig(embedder: HashedStemEmbedder): IndexConfig {
  // The test embedder has LangChain's `embedDocuments`/`embedQuery`; the type wants the class.
  return { dims: embedder.dimensions, embeddings: embedder as unknown as IndexConfig["embeddings"], fields: ["text"] };
}

/**
 * LangGraph's `InMemoryStore` with an embedding index (the test embedder): its text search
 * embeds the query and ranks the filtered items by cosine similarity, one by one.
 */
export function openInMemoryStore(embedder: HashedStemEmbedder): PeerStore {
  const store = new InMemoryStore({ index: indexConfig(embedder) });
  return new LangGraphPeerStore(
    "LangGraph InMemoryStore",
    "LangGraph InMemoryStore: embeds the query with the test embedder, cosine over every item that passes the filter",
    true,
    store,
    Number.POSITIVE_INFINITY,
    async () => undefined,
  );
}

/**
 * LangGraph's `PostgresStore` on `url` in its own `schema`. With pgvector on the server it
 * gets the test embedder's index (vector search); without it, its search is its built-in
 * full-text mode (`to_tsvector(value::text)` computed per row at query time, plus `ILIKE`).
 */
export async function openPostgresStore(url: string, schema: string, embedder: HashedStemEmbedder | undefined): Promise<PeerStore> {
  const store = PostgresStore.fromConnString(url, { schema, ...(embedder ? { index: { dims: embedder.dimensions, embed: embedder, fields: ["text"] } } : {}) });
  await store.setup();
  const note = embedder
    ? "LangGraph PostgresStore: pgvector search with the test embedder"
    : "LangGraph PostgresStore: no pgvector on this server, so its own full-text mode (to_tsvector of the whole value per row at query time, no index) — not an embedding search";
  return new LangGraphPeerStore("LangGraph PostgresStore", note, embedder !== undefined, store, LOAD_CHUNK, () => store.stop());
}
