/**
 * Members run at a lower CPU priority than the host. The host enforces every deadline: a skill
 * spinning in a member, or a replacement member booting, must not keep the host's deadline timer
 * (or its reply handling) waiting for a CPU. Measured on 2 shared CPUs: with two spinning processes
 * at the host's priority a 100 ms host timer fired up to 14–28 ms late, at +10 up to 5–13 ms; a
 * fork of a replacement member blocked the host up to 160 ms while members competed with it, 2–12
 * ms once they ran at +10. The cost: when the CPUs are saturated by other work in the same
 * scheduling group (with Linux autogroups: the same session), skill code gets a smaller share.
 */
import { getPriority, setPriority } from "node:os";

/** How much nicer than the host a member runs (Unix nice values; 19 is the lowest priority). */
export const MEMBER_NICE_OFFSET = 10;

/**
 * Lowers the CPU priority of a member process (by its pid) to the host's nice value plus
 * {@link MEMBER_NICE_OFFSET}. Best effort: where priorities cannot be changed (some containers)
 * nothing happens.
 */
export function lowerMemberPriority(pid: number, hostNice: number = hostPriority()): void {
  try {
    setPriority(pid, Math.min(19, hostNice + MEMBER_NICE_OFFSET));
  } catch {
    // Not permitted or not supported: the member runs at the host's priority.
  }
}

/**
 * Lowers the CPU priority of the calling worker thread the same way. Only on Linux, where a nice
 * value belongs to a thread; elsewhere it belongs to the process and would slow the host too.
 */
export function lowerWorkerThreadPriority(): void {
  if (process.platform === "linux") lowerMemberPriority(0);
}

/** The nice value of the calling thread (0 where it cannot be read): a worker thread inherits its creator's. */
export function hostPriority(): number {
  try {
    return getPriority(0);
  } catch {
    return 0;
  }
}
