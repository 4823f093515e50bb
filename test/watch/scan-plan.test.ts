import { describe, expect, it } from 'vitest';
import type { JobInstance } from '../../src/tics/schema.js';
import { detectTransitions, takeBaseline, type LeagueSnapshot } from '../../src/watch/detect.js';
import {
  detectOrder,
  observedOrder,
  planNext,
  toObservation,
  type ScanOptions,
  type ScanPage,
  type ScanState,
  type StopReason,
} from '../../src/watch/scan-plan.js';

const T0 = Date.UTC(2024, 0, 1);
const MINUTE = 60_000;
const OPTS: ScanOptions = { pageSize: 100, maxPages: 10 };

/** Instance number n starts n minutes after T0, so numbers order by age. */
function inst(n: number, status = 'SUCCEEDED'): JobInstance {
  return { id: `i${n}`, jobName: `job ${n}`, type: 'SQL', status, startTime: T0 + n * MINUTE };
}

function range(from: number, to: number, status = 'SUCCEEDED'): JobInstance[] {
  return Array.from({ length: to - from }, (_, k) => inst(from + k, status));
}

type Order = 'asc' | 'desc';

class FakeLeague {
  constructor(
    public instances: JobInstance[],
    public order: Order = 'desc',
  ) {}
  add(...more: JobInstance[]): void {
    this.instances.push(...more);
  }
  remove(id: string): void {
    this.instances = this.instances.filter((i) => i.id !== id);
  }
  setStatus(id: string, status: string): void {
    this.instances = this.instances.map((i) => (i.id === id ? { ...i, status } : i));
  }
  page(offset: number, limit: number): ScanPage {
    const sorted = [...this.instances].sort((a, b) => (a.startTime ?? 0) - (b.startTime ?? 0));
    if (this.order === 'desc') sorted.reverse();
    return { offset, limit, total: sorted.length, instances: sorted.slice(offset, offset + limit) };
  }
}

interface ScanRun {
  offsets: number[];
  reason: StopReason;
  state: ScanState;
}

function scan(prev: LeagueSnapshot | undefined, league: FakeLeague, opts: ScanOptions = OPTS): ScanRun {
  const state: ScanState = { pages: [] };
  for (;;) {
    const step = planNext(prev, state, opts);
    if (step.done) return { offsets: state.pages.map((p) => p.offset), reason: step.reason, state };
    state.pages.push(league.page(step.offset, opts.pageSize));
  }
}

/** Baselines the league as the watcher would, returning the snapshot. */
function baseline(league: FakeLeague, at = T0): LeagueSnapshot {
  return takeBaseline(toObservation(undefined, scan(undefined, league).state, at));
}

/** One watcher cycle: scan, observe, detect. */
function cycle(prev: LeagueSnapshot, league: FakeLeague, at: number): { run: ScanRun; next: LeagueSnapshot } {
  const run = scan(prev, league);
  return { run, next: detectTransitions(prev, toObservation(prev, run.state, at)).next };
}

describe('planNext — newest-first server', () => {
  it('always starts at offset 0', () => {
    expect(planNext(undefined, { pages: [] }, OPTS)).toEqual({ done: false, offset: 0 });
    const prev = baseline(new FakeLeague(range(0, 10)));
    expect(planNext(prev, { pages: [] }, OPTS)).toEqual({ done: false, offset: 0 });
  });

  it('a baseline of a finished league reads one page: older instances are history', () => {
    const run = scan(undefined, new FakeLeague(range(0, 500)));
    expect(run.offsets).toEqual([0]);
    expect(run.reason).toBe('caught-up');
  });

  it('a baseline reads on while the last page still holds unfinished jobs', () => {
    const league = new FakeLeague([...range(0, 250), ...range(250, 450, 'RUNNING'), ...range(450, 500)]);
    // Newest-first: page 0 = 400..499 (has RUNNING), page 1 = 300..399, page 2 = 200..299 (has 250..299).
    expect(scan(undefined, league).offsets).toEqual([0, 100, 200, 300]);
  });

  it('reads one page per cycle in the steady state', () => {
    const league = new FakeLeague(range(0, 500));
    let prev = baseline(league);
    for (let c = 1; c <= 5; c += 1) {
      league.add(...range(500 + 3 * c, 503 + 3 * c));
      const { run, next } = cycle(prev, league, T0 + c * MINUTE);
      expect(run.offsets).toEqual([0]);
      expect(run.reason).toBe('caught-up');
      prev = next;
    }
  });

  it('an unchanged league costs one request', () => {
    const league = new FakeLeague([...range(0, 450), ...range(450, 460, 'RUNNING'), ...range(460, 500)]);
    const prev = baseline(league);
    expect(scan(prev, league).offsets).toEqual([0]);
  });

  it('keeps scanning when a tracked RUNNING instance fell off page 1', () => {
    const league = new FakeLeague(range(0, 500));
    league.setStatus('i420', 'RUNNING');
    const prev = baseline(league);
    league.add(...range(500, 560)); // page 0 is now 460..559: i420 sank to page 1
    const run = scan(prev, league);
    expect(run.offsets).toEqual([0, 100]);
    expect(run.reason).toBe('caught-up');
    expect(toObservation(prev, run.state, T0).instances.map((i) => i.id)).toContain('i420');
  });

  it('follows a long-running job several pages down, every cycle', () => {
    const league = new FakeLeague(range(0, 500));
    league.setStatus('i499', 'RUNNING');
    let prev = baseline(league);
    league.add(...range(500, 850));
    const first = cycle(prev, league, T0 + MINUTE);
    prev = first.next;
    expect(first.run.offsets).toEqual([0, 100, 200, 300]); // burst of 350, then i499 at index 350
    const second = cycle(prev, league, T0 + 2 * MINUTE);
    expect(second.run.offsets).toEqual([0, 100, 200, 300]); // nothing new, but i499 is still down there
  });

  it('stops once the scan has passed a tracked instance that is gone (deleted)', () => {
    const league = new FakeLeague(range(0, 500));
    league.setStatus('i420', 'RUNNING');
    const prev = baseline(league);
    league.add(...range(500, 560));
    league.remove('i420');
    const run = scan(prev, league);
    // Page 1 reaches starts older than i420's without finding it: reading the other 4 pages would not help.
    expect(run.offsets).toEqual([0, 100]);
  });

  it('a burst of more than 100 new instances scans until known territory', () => {
    const league = new FakeLeague(range(0, 500));
    const prev = baseline(league);
    league.add(...range(500, 750, 'FAILED'));
    const run = scan(prev, league);
    expect(run.offsets).toEqual([0, 100, 200]);
    expect(run.reason).toBe('caught-up');
    const seen = new Set(toObservation(prev, run.state, T0).instances.map((i) => i.id));
    expect(range(500, 750).every((i) => seen.has(i.id))).toBe(true);
  });

  it('stops at total', () => {
    const league = new FakeLeague([]);
    const prev = baseline(league);
    league.add(...range(0, 150, 'FAILED'));
    const run = scan(prev, league);
    expect(run.offsets).toEqual([0, 100]);
    expect(run.reason).toBe('covered');
  });

  it('an empty league is covered by its first page', () => {
    const run = scan(undefined, new FakeLeague([]));
    expect(run.offsets).toEqual([0]);
    expect(run.reason).toBe('covered');
  });

  it('is bounded by maxPages and says it was cut short', () => {
    const league = new FakeLeague(range(0, 100));
    const prev = baseline(league);
    league.add(...range(100, 1100, 'FAILED'));
    const run = scan(prev, league, { pageSize: 100, maxPages: 3 });
    expect(run.offsets).toEqual([0, 100, 200]);
    expect(run.reason).toBe('cut-short');
    expect(planNext(prev, run.state, { pageSize: 100, maxPages: 3 })).toEqual({ done: true, reason: 'cut-short' });
  });

  it('does not ask again for a page that came back short of total', () => {
    const prev = baseline(new FakeLeague([]));
    const state: ScanState = {
      pages: [
        { offset: 0, limit: 100, total: 500, instances: range(400, 500, 'FAILED').reverse() },
        { offset: 100, limit: 100, total: 500, instances: [] },
      ],
    };
    expect(planNext(prev, state, OPTS)).toEqual({ done: true, reason: 'covered' });
  });
});

describe('planNext — oldest-first server', () => {
  it('a baseline reads page 0, sees ascending start times, and reads the last page', () => {
    const run = scan(undefined, new FakeLeague(range(0, 500), 'asc'));
    expect(run.offsets).toEqual([0, 400]);
    const snapshot = takeBaseline(toObservation(undefined, run.state, T0));
    expect(snapshot.order).toBe('asc');
    expect(snapshot.newestStart).toBe(inst(499).startTime);
  });

  it('finds new instances at the back: two requests per cycle', () => {
    const league = new FakeLeague(range(0, 500), 'asc');
    const prev = baseline(league);
    league.add(inst(500, 'FAILED'), inst(501, 'FAILED'), inst(502));
    const run = scan(prev, league);
    expect(run.offsets).toEqual([0, 403]);
    const { transitions } = detectTransitions(prev, toObservation(prev, run.state, T0 + MINUTE));
    expect(transitions.map((t) => t.instance.id)).toEqual(['i500', 'i501', 'i502']);
  });

  it('walks backwards from the last page through a burst', () => {
    const league = new FakeLeague(range(0, 500), 'asc');
    const prev = baseline(league);
    league.add(...range(500, 650, 'FAILED'));
    // Last page 550..649 all new, then 450..549 reaches known territory.
    expect(scan(prev, league).offsets).toEqual([0, 550, 450]);
  });

  it('walks backwards to a tracked instance that moved away from the end', () => {
    const league = new FakeLeague(range(0, 500), 'asc');
    league.setStatus('i410', 'RUNNING');
    const prev = baseline(league);
    league.add(...range(500, 530));
    // Last page is 430..529; i410 is one page further back.
    expect(scan(prev, league).offsets).toEqual([0, 430, 330]);
  });

  it('does not overlap page 0 when walking back', () => {
    const league = new FakeLeague(range(0, 150), 'asc');
    league.setStatus('i120', 'RUNNING');
    const prev = baseline(league);
    league.remove('i120');
    league.add(...range(150, 230, 'FAILED'));
    // 229 records: page 0 = 0..99, last page = offset 129; the next step back is clamped to 100.
    expect(scan(prev, league).offsets).toEqual([0, 129, 100]);
  });

  it('relies on the remembered order when page 0 cannot tell', () => {
    const league = new FakeLeague(range(0, 500), 'asc');
    const prev = baseline(league);
    const flat: ScanState = {
      pages: [{ offset: 0, limit: 100, total: 500, instances: [inst(0), { ...inst(1), startTime: inst(0).startTime! }] }],
    };
    expect(observedOrder(prev, flat)).toBe('asc');
    expect(planNext(prev, flat, OPTS)).toEqual({ done: false, offset: 400 });
  });

  it('reads on when total grew by more than the new instances found, even if page 0 cannot tell the order', () => {
    // Two records with the same start: no trend. A third arrives — at the back, as it turns out.
    const same = { ...inst(1), startTime: inst(2).startTime! };
    const league = new FakeLeague([same, inst(2)], 'asc');
    const prev = takeBaseline(toObservation(undefined, scan(undefined, league, { pageSize: 2, maxPages: 10 }).state, T0));
    league.add(inst(3, 'FAILED'));
    const run = scan(prev, league, { pageSize: 2, maxPages: 10 });
    expect(run.offsets).toEqual([0, 2]);
    const { transitions } = detectTransitions(prev, toObservation(prev, run.state, T0 + MINUTE));
    expect(transitions.map((t) => t.instance.id)).toEqual(['i3']);
  });

  it('infers oldest-first across cycles when page 0 is all older than what we already saw', () => {
    const prev = takeBaseline({ instances: [inst(900)], total: 1, complete: true, observedAt: T0 });
    const page0: ScanState = { pages: [{ offset: 0, limit: 100, total: 300, instances: [inst(5)] }] };
    expect(observedOrder(prev, page0)).toBe('asc');
    const small: ScanState = { pages: [{ offset: 0, limit: 100, total: 1, instances: [inst(5)] }] };
    expect(observedOrder(prev, small)).toBeUndefined();
  });
});

describe('detectOrder', () => {
  it('reads the trend of start times', () => {
    expect(detectOrder(range(0, 5).reverse())).toBe('desc');
    expect(detectOrder(range(0, 5))).toBe('asc');
  });

  it('says nothing when it cannot tell', () => {
    expect(detectOrder([])).toBeUndefined();
    expect(detectOrder([inst(1)])).toBeUndefined();
    expect(detectOrder([inst(1), { ...inst(2), startTime: inst(1).startTime! }])).toBeUndefined();
    expect(detectOrder([inst(1), inst(5), inst(2), inst(6)])).toBeUndefined();
  });

  it('tolerates a little clock skew and missing start times', () => {
    const mostlyDesc = [inst(10), inst(9), inst(8), inst(8.5), inst(7), inst(6), withoutStart(inst(5)), inst(4)];
    expect(detectOrder(mostlyDesc)).toBe('desc');
  });
});

describe('toObservation', () => {
  it('is complete only when every record was read', () => {
    const league = new FakeLeague(range(0, 150));
    const partial = toObservation(undefined, { pages: [league.page(0, 100)] }, T0);
    expect(partial.complete).toBe(false);
    const full = toObservation(undefined, { pages: [league.page(0, 100), league.page(100, 100)] }, T0);
    expect(full.complete).toBe(true);
    expect(full.total).toBe(150);
    expect(full.instances).toHaveLength(150);
    expect(full.unseenNewestStart).toBeUndefined();
  });

  it('merges an instance read twice because the list shifted between requests', () => {
    const league = new FakeLeague(range(0, 150, 'RUNNING'));
    const page0 = league.page(0, 100);
    league.add(inst(150, 'RUNNING'));
    league.setStatus('i50', 'FAILED');
    const page1 = league.page(100, 100); // i50 shifted from index 99 to 100: read again
    const obs = toObservation(undefined, { pages: [page0, page1] }, T0);
    expect(obs.instances.filter((i) => i.id === 'i50')).toEqual([inst(50, 'FAILED')]);
    expect(obs.instances).toHaveLength(150);
  });

  it('bounds what a newest-first scan missed by the oldest record it read', () => {
    const league = new FakeLeague(range(0, 500));
    const obs = toObservation(undefined, { pages: [league.page(0, 100)] }, T0);
    expect(obs.order).toBe('desc');
    expect(obs.unseenNewestStart).toBe(inst(400).startTime);
  });

  it('bounds what an oldest-first scan missed by the first record of the back pages', () => {
    const league = new FakeLeague(range(0, 500), 'asc');
    const obs = toObservation(undefined, { pages: [league.page(0, 100), league.page(400, 100)] }, T0);
    expect(obs.order).toBe('asc');
    expect(obs.unseenNewestStart).toBe(inst(400).startTime);
  });

  it('claims no bound when the order is unknown', () => {
    const shuffled = [inst(3), inst(9), inst(1), inst(7)];
    const obs = toObservation(undefined, { pages: [{ offset: 0, limit: 4, total: 40, instances: shuffled }] }, T0);
    expect(obs.order).toBeUndefined();
    expect(obs.unseenNewestStart).toBeUndefined();
  });
});

function withoutStart(instance: JobInstance): JobInstance {
  const { startTime: _startTime, ...rest } = instance;
  return rest;
}
