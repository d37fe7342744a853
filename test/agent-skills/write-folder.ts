/** Test helper: writes skill folders to disk. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** Writes a folder `root/name`: `files` maps relative paths to text or bytes. Returns its path. */
export function writeFolder(root: string, name: string, files: Record<string, string | Uint8Array>): string {
  const dir = join(root, name);
  for (const [path, content] of Object.entries(files)) {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return dir;
}

/** A minimal SKILL.md. */
export function skillMd(name: string, description = `The ${name} skill`, body = "# Body\n"): string {
  return `---\nname: ${name}\ndescription: ${description}\n---\n\n${body}`;
}
