import { stemmer } from "stemmer";
import type { Embedder } from "../src/index.js";

/** FNV-1a over a string: a stable 32-bit hash. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A deterministic test embedder for the benchmarks: a hashed bag of word stems (the feature
 * hashing trick, with a sign bit), L2-normalised. It is no language model — it only makes two
 * stores' embedding search comparable on the same vectors, with no network and no weights.
 *
 * It speaks both dialects: ours (`Embedder`: `embed(texts)` → `Float32Array[]`) and
 * LangChain's (`embedDocuments` / `embedQuery` → `number[][]`), and it counts its calls, so a
 * benchmark can tell whether a library really used it.
 *
 * @example
 * ```ts
 * const embedder = new HashedStemEmbedder(128);
 * const library = await openSkillLibrary({ store: ":memory:", embedder });
 * const store = new InMemoryStore({ index: { dims: 128, embeddings: embedder, fields: ["text"] } });
 * ```
 */
export class HashedStemEmbedder implements Embedder {
  /** Names the embedder and its size, as stores key stored vectors by it. */
  readonly id: string;
  /** Calls to any of the embedding methods so far. */
  calls = 0;
  /** Texts embedded so far. */
  texts = 0;

  /** @param dimensions - vector size. @default 128 */
  constructor(readonly dimensions = 128) {
    this.id = `bench-hashed-stems-${dimensions}`;
  }

  /** One vector for one text (synchronous: the arithmetic of the embedder, no counting). */
  vector(text: string): Float32Array {
    const out = new Float32Array(this.dimensions);
    for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
      const hash = fnv1a(stemmer(word));
      const at = hash % this.dimensions;
      out[at] = (out[at] as number) + (hash & 0x80000000 ? -1 : 1);
    }
    let norm = 0;
    for (const x of out) norm += x * x;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / norm;
    return out;
  }

  /** Ours: `Embedder.embed`. */
  async embed(texts: string[]): Promise<Float32Array[]> {
    this.calls++;
    this.texts += texts.length;
    return texts.map((t) => this.vector(t));
  }

  /** LangChain's `Embeddings.embedDocuments`. */
  async embedDocuments(texts: string[]): Promise<number[][]> {
    this.calls++;
    this.texts += texts.length;
    return texts.map((t) => Array.from(this.vector(t)));
  }

  /** LangChain's `Embeddings.embedQuery`. */
  async embedQuery(text: string): Promise<number[]> {
    this.calls++;
    this.texts++;
    return Array.from(this.vector(text));
  }
}
