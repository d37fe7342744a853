import type { Embedder } from "../../src/index.js";

/**
 * A FAKE embedding model for the tests (a real one cannot be downloaded here): each word is
 * hashed into one of `dimensions` buckets, except that the words of one `concepts` group
 * share a bucket, so texts about the same concept are near even when they share no word,
 * as a real model would make them. Deterministic; counts its calls.
 */
export class ConceptEmbedder implements Embedder {
  readonly dimensions = 64;
  calls = 0;
  texts = 0;
  failing: Error | undefined;

  constructor(
    readonly id = "fake-concepts-v1",
    private readonly concepts: readonly (readonly string[])[] = [],
  ) {}

  async embed(texts: string[]): Promise<Float32Array[]> {
    this.calls++;
    this.texts += texts.length;
    if (this.failing) throw this.failing;
    return texts.map((text) => {
      const vector = new Float32Array(this.dimensions);
      for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) vector[this.bucket(word)] = (vector[this.bucket(word)] as number) + 1;
      return vector;
    });
  }

  private bucket(word: string): number {
    const concept = this.concepts.findIndex((group) => group.includes(word));
    if (concept >= 0) return concept;
    let hash = 2166136261;
    for (let i = 0; i < word.length; i++) hash = Math.imul(hash ^ word.charCodeAt(i), 16777619);
    return this.concepts.length + ((hash >>> 0) % (this.dimensions - this.concepts.length));
  }
}
