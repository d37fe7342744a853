import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A store the conformance suite runs against: `url()` gives a fresh, empty store each call. */
export interface StoreUnderTest {
  name: string;
  url(): string;
}

/** A fresh temporary folder for a test file's store files. */
export function tempDir(prefix = "skill-library-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

let counter = 0;
const dir = tempDir();

/** Every store the shared suite must pass. */
export const STORES: StoreUnderTest[] = [{ name: "sqlite", url: () => join(dir, `store-${process.pid}-${++counter}.db`) }];
