import { StoreUnavailableError } from "../../errors.js";
import type { SkillStore } from "../skill-store.js";

/** The PostgreSQL store (shared by many machines). */
export class PostgresStore {
  /** Connects, migrates, and starts listening for other machines' changes. */
  static async open(url: string): Promise<SkillStore> {
    throw new StoreUnavailableError(`the PostgreSQL store is not built yet; cannot open ${url.replace(/\/\/[^@]*@/, "//***@")}`);
  }
}
