/**
 * Every child process a test starts is registered here, so that test/setup/kill-children.ts can
 * SIGKILL whatever is still alive after each test — also after a timeout or a failed assertion, when
 * the test's own clean-up never ran. A process left behind would keep polling and posting into the
 * next test's fakes.
 */
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();

export function trackChild(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** SIGKILLs every tracked child that has not exited, and waits (bounded) until each has. */
export async function killTrackedChildren(timeoutMs = 5_000): Promise<number> {
  const alive = [...live].filter((c) => c.exitCode === null && c.signalCode === null);
  await Promise.all(
    alive.map(
      (child) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGKILL');
        }),
    ),
  );
  for (const child of alive) live.delete(child);
  return alive.length;
}

/** For a last-resort handler: no awaiting possible. */
export function killTrackedChildrenNow(): void {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
