/** Embedding vectors as stored bytes: float32, little-endian (the byte order of every machine Node runs on here). */

/** The bytes of a vector, for a BLOB or bytea column (a view of its memory, not a copy). */
export function vectorBytes(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

/** A vector from stored bytes (copied, so it is aligned and owns its memory). */
export function bytesVector(bytes: Uint8Array): Float32Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}
