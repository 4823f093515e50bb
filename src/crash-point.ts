/**
 * Test-only crash points (TICS_BOT_CRASH_AT): the process SIGKILLs itself at a named moment, so a
 * process-level test can prove what a crash at exactly that point leaves behind. Armed only by
 * main.ts from the config; inert unless the variable is set, and production never sets it.
 */
export const CRASH_POINTS = [
  /** Right after an alert's claim (with its entry) is written, before the league's snapshot moves on. */
  'after-claim',
  /** Right after Slack accepted a post, before it is marked sent: the documented duplicate window. */
  'after-post',
  /** Right after Slack accepted a new incident's parent, before its ts is stored. */
  'after-parent-post',
  /** Right after Slack accepted a thread reply, before the incident records it. */
  'after-thread-post',
  /** Right after the incident recorded a reply, before the parent is updated and the entry settled. */
  'after-incident-save',
] as const;

export type CrashPointName = (typeof CRASH_POINTS)[number];

let armed: CrashPointName | undefined;

export function armCrashPoint(name: CrashPointName | undefined): void {
  armed = name;
}

export function crashPoint(reached: CrashPointName): void {
  if (armed === undefined || reached !== armed) return;
  process.kill(process.pid, 'SIGKILL');
  // The signal may land a moment later: block, so that no further write slips in before it does.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5_000);
}
