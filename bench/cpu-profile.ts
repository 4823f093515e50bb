/**
 * Reads a V8 `.cpuprofile` (what `node --cpu-prof` writes) and says where the time went, counting
 * only the samples inside given time windows: a bench profiles the whole child process, start-up
 * and warm-up included, but only the measured bursts matter.
 *
 * Sample timestamps are V8 TimeTicks (µs, CLOCK_MONOTONIC on Linux), the same clock as
 * `process.hrtime.bigint()` in any process on the machine, so windows taken in the parent apply.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number(), columnNumber: z.number() }),
      children: z.array(z.number()).optional(),
    }),
  ),
  startTime: z.number(),
  endTime: z.number(),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

/** [start, end] in µs of the monotonic clock (`process.hrtime.bigint() / 1000n`). */
export type Window = readonly [number, number];

export interface ProfileEntry {
  name: string;
  /** Where it lives: a project file, `pkg:<package>`, `node:<module>`, or empty for VM entries. */
  where: string;
  ms: number;
  /** Share of the non-idle time in the windows. */
  pct: number;
}

export interface ProfileSummary {
  /** The windows counted (µs, monotonic clock), to look at the raw profile again. */
  windows: Window[];
  /** Wall time covered by the windows. */
  windowMs: number;
  /** Sampled time not spent idle: the process's CPU on the main thread. */
  busyMs: number;
  samples: number;
  intervalUs: number;
  /** Self time per function, highest first. */
  self: ProfileEntry[];
  /** Self time per place (project file, package, node internals, GC…). */
  byPlace: ProfileEntry[];
  /** Inclusive time of the project's own functions (callees included), highest first. */
  inclusive: ProfileEntry[];
}

const IDLE = new Set(['(idle)']);

/**
 * `projectRoots`: URL prefixes (file:///…/) under which files are the project's own; they are shown
 * relative to the root, so tsc's output in a cache directory reads like the source tree.
 */
export function summarizeCpuProfile(file: string, windows: readonly Window[], projectRoots: readonly string[], top = 25): ProfileSummary {
  const profile = profileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const place = (url: string, name: string): string => {
    if (!url) return name.startsWith('(') ? name : '';
    if (url.startsWith('node:')) return url;
    const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url.replace(/\/node_modules\/\.cache\/[^/]+\//, '/'));
    for (const root of projectRoots) if (url.startsWith(root)) return url.slice(root.length);
    return pkg ? `pkg:${pkg[1]}` : url;
  };
  const label = (id: number) => {
    const f = byId.get(id)!.callFrame;
    return { key: `${f.functionName || '(anonymous)'} ${f.url}:${f.lineNumber + 1}`, name: f.functionName || '(anonymous)', where: place(f.url, f.functionName) };
  };

  const inWindow = (t: number) => windows.some(([a, b]) => t >= a && t <= b);
  const self = new Map<string, { name: string; where: string; us: number }>();
  const byPlace = new Map<string, number>();
  const inclusive = new Map<string, { name: string; where: string; us: number }>();
  let t = profile.startTime;
  let busyUs = 0;
  let counted = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (!inWindow(t)) continue;
    const id = profile.samples[i]!;
    const frame = byId.get(id)!.callFrame;
    if (IDLE.has(frame.functionName)) continue;
    // A sample stands for the time until the next one; the first delta is from the profile start.
    const us = profile.timeDeltas[i + 1] ?? delta;
    counted += 1;
    busyUs += us;
    const l = label(id);
    const s = self.get(l.key) ?? { name: l.name, where: l.where, us: 0 };
    s.us += us;
    self.set(l.key, s);
    const p = l.where || l.name;
    byPlace.set(p, (byPlace.get(p) ?? 0) + us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const a = label(at);
      const url = byId.get(at)!.callFrame.url;
      if (seen.has(a.key) || !projectRoots.some((r) => url.startsWith(r))) continue;
      seen.add(a.key);
      const e = inclusive.get(a.key) ?? { name: a.name, where: a.where, us: 0 };
      e.us += us;
      inclusive.set(a.key, e);
    }
  }
  const entries = (m: Iterable<{ name: string; where: string; us: number }>) =>
    [...m]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((e) => ({ name: e.name, where: e.where, ms: e.us / 1000, pct: busyUs ? (100 * e.us) / busyUs : 0 }));
  return {
    windows: [...windows],
    windowMs: windows.reduce((acc, [a, b]) => acc + (b - a), 0) / 1000,
    busyMs: busyUs / 1000,
    samples: counted,
    intervalUs: profile.samples.length > 1 ? (profile.endTime - profile.startTime) / profile.samples.length : 0,
    self: entries(self.values()),
    byPlace: entries([...byPlace].map(([where, us]) => ({ name: where, where, us }))),
    inclusive: entries(inclusive.values()),
  };
}
