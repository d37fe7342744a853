/** A progress bar on stderr for long imports and exports (only on a terminal). */
import { Presets, SingleBar } from "cli-progress";

/** Shows progress only for at least this many items. */
export const PROGRESS_MIN_ITEMS = 10;

/** Reports `(done, total)`; `stop()` removes the bar. */
export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

/**
 * A progress reporter: a cli-progress bar on stderr when stderr is a terminal, `enabled`
 * holds (no `--json`) and there are at least `PROGRESS_MIN_ITEMS` items; else it does nothing.
 *
 * @example
 * const progress = progressBar("importing", !options.json);
 * await importSkills(library, dir, { onProgress: (done, total) => progress.update(done, total) });
 * progress.stop();
 */
export function progressBar(label: string, enabled: boolean): Progress {
  let bar: SingleBar | undefined;
  const show = enabled && process.stderr.isTTY === true;
  return {
    update(done, total) {
      if (!show || total < PROGRESS_MIN_ITEMS) return;
      if (!bar) {
        bar = new SingleBar({ stream: process.stderr, format: `${label} [{bar}] {value}/{total}`, hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
        bar.start(total, 0);
      }
      bar.update(done);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
