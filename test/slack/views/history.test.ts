import { describe, expect, it } from 'vitest';
import { decodeCursor, decodeDetailsRef, type HistoryCursor } from '../../../src/slack/cursor.js';
import {
  buildHistoryMessage,
  HISTORY_PAGING_BLOCK_ID,
  MAX_ROWS_PER_MESSAGE,
  type HistoryViewModel,
  type SlackMessage,
} from '../../../src/slack/views/history.js';
import type { JobInstance } from '../../../src/tics/schema.js';
import { assertWithinSlackLimits, blockTextLength, LIMITS } from '../../helpers/block-kit-limits.js';
import { cursor, historyModel, instance, LEAGUE_ID, MINUTE, mockupInstances, NOW } from './fixtures.js';

const model = historyModel;

/** Builds and checks every message against Slack's limits: no test may build a message Slack would reject. */
function build(m: HistoryViewModel): SlackMessage {
  const message = buildHistoryMessage(m);
  assertWithinSlackLimits(message);
  return message;
}

type Btn = { action_id: string; text: { text: string }; value: string };
const paging = (message: SlackMessage) => {
  const block = message.blocks.find((b) => b.block_id === HISTORY_PAGING_BLOCK_ID);
  expect(block?.type).toBe('actions');
  return (block as unknown as { elements: Btn[] }).elements;
};
const buttonIds = (message: SlackMessage) => paging(message).map((b) => b.action_id);
const rows = (message: SlackMessage) =>
  message.blocks.filter((b) => b.type === 'section' && 'accessory' in b) as unknown as Array<{ text: { text: string }; accessory: Btn }>;
const allText = (message: SlackMessage) => JSON.stringify(message.blocks);
const contextTexts = (message: SlackMessage) =>
  message.blocks.filter((b) => b.type === 'context').map((b) => (b as unknown as { elements: Array<{ text: string }> }).elements.map((e) => e.text).join(' '));

describe('buildHistoryMessage', () => {
  it('renders the first page like the mockup', () => {
    const message = build(model());
    expect(message).toMatchSnapshot();
    expect(message.text).toBe('History of fl-demo: 37 instances, page 1 of 8');
    expect(message.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text', text: expect.stringContaining('fl-demo') } });
    const summary = contextTexts(message)[0] ?? '';
    expect(summary).toContain('37 instances');
    expect(summary).toContain('page 1 of 8');
    expect(summary).toContain(LEAGUE_ID); // the alias is shown, so the id goes in the context
    expect(summary).toContain(`<!date^${NOW / 1000}^`);
  });

  it('renders one row per instance, in the given order, status first', () => {
    const instances = mockupInstances();
    const rendered = rows(build(model({ instances })));
    expect(rendered).toHaveLength(instances.length);
    expect(rendered.map((r) => r.text.text.split('\n')[0])).toEqual([
      ':large_blue_circle: *Running*  ·  *联邦训练-信用评分*',
      ':white_check_mark: *Succeeded*  ·  *fraud-detection-v3*',
      ':x: *Failed*  ·  *联邦统计-用户画像*',
      ':hourglass_flowing_sand: *Pending*  ·  *纵向联邦-风控模型*',
      ':octagonal_sign: *Terminated*  ·  *churn-predict-nightly*',
    ]);
    const [running, succeeded, failed, pending] = rendered.map((r) => r.text.text);
    expect(running).toContain('Horizontal FL · started <!date^');
    expect(running).toContain('running for 1 hour 18 minutes · 14 rounds · partner bank-b');
    expect(succeeded).toContain('took 2 hours 5 minutes · 50 rounds');
    expect(failed).toContain('failed after 3 minutes · 2 rounds');
    expect(pending).toBe(':hourglass_flowing_sand: *Pending*  ·  *纵向联邦-风控模型*\nVertical FL prediction · not started · two-party prediction');
  });

  it('gives each row a Details button pointing at its instance', () => {
    const instances = mockupInstances();
    const rendered = rows(build(model({ instances, cursor: cursor({ jobId: 'job42' }) })));
    rendered.forEach((row, i) => {
      expect(row.accessory.action_id).toBe('history_details');
      expect(row.accessory.text.text).toBe('Details');
      expect(decodeDetailsRef(row.accessory.value)).toEqual({
        ok: true,
        value: { v: 1, league: 'fl-demo', instanceId: instances[i]!.id, jobId: 'job42' },
      });
    });
  });

  it('leaves the Details button off an instance TICS sent without a usable id', () => {
    const message = build(model({ instances: [instance({ id: '' }), instance({ id: 'ok1' })] }));
    expect(rows(message)).toHaveLength(1);
    expect(message.blocks.filter((b) => b.type === 'section')).toHaveLength(2);
  });

  describe('paging buttons', () => {
    const decoded = (b: Btn | undefined) => {
      const result = decodeCursor(b?.value);
      return result.ok ? result.cursor : result.reason;
    };

    it('first page: Next, Refresh, Share — no Previous', () => {
      const message = build(model());
      expect(buttonIds(message)).toEqual(['history_next', 'history_refresh', 'history_share']);
      const [next, refresh, share] = paging(message);
      expect(next?.text.text).toContain('Next');
      expect(refresh?.text.text).toContain('Refresh');
      expect(share?.text.text).toContain('Share in channel');
      expect(decoded(next)).toEqual(cursor({ offset: 5 }));
      expect(decoded(refresh)).toEqual(cursor());
      expect(decoded(share)).toEqual(cursor());
    });

    it('middle page: Previous and Next carry their own cursors', () => {
      const here = cursor({ offset: 10 });
      const message = build(model({ cursor: here, prev: cursor({ offset: 5 }), next: cursor({ offset: 15 }), pageNumber: 3 }));
      expect(buttonIds(message)).toEqual(['history_prev', 'history_next', 'history_refresh', 'history_share']);
      const [prev, next, refresh] = paging(message);
      expect(prev?.text.text).toContain('Previous');
      expect(decoded(prev)).toEqual(cursor({ offset: 5 }));
      expect(decoded(next)).toEqual(cursor({ offset: 15 }));
      expect(decoded(refresh)).toEqual(here);
      expect(message.text).toBe('History of fl-demo: 37 instances, page 3 of 8');
    });

    it('last page: no Next', () => {
      const message = build(model({ cursor: cursor({ offset: 35 }), prev: cursor({ offset: 30 }), next: undefined, pageNumber: 8 }));
      expect(buttonIds(message)).toEqual(['history_prev', 'history_refresh', 'history_share']);
      expect(message).toMatchSnapshot();
    });

    it('a single page: only Refresh and Share', () => {
      expect(buttonIds(build(model({ next: undefined, total: 5, pageCount: 1 })))).toEqual(['history_refresh', 'history_share']);
    });
  });

  describe('empty pages', () => {
    it('a league with no instances yet', () => {
      const message = build(model({ instances: [], total: 0, next: undefined, pageCount: 1 }));
      expect(message).toMatchSnapshot();
      expect(rows(message)).toHaveLength(0);
      expect(allText(message)).toContain('No job instances in *fl-demo* yet');
      expect(message.text).toBe('History of fl-demo: 0 instances, page 1 of 1');
    });

    it('a job filter that matches nothing names the job', () => {
      const message = build(model({ instances: [], total: 0, next: undefined, pageCount: 1, cursor: cursor({ jobId: 'nosuchjob' }) }));
      expect(allText(message)).toContain('no instances of job `nosuchjob`');
      expect(message.text).toContain('(job nosuchjob)');
    });

    it('a status filter that matches nothing says what was filtered and how much was checked', () => {
      const message = build(
        model({
          instances: [],
          total: 37,
          cursor: cursor({ statuses: ['FAILED', 'TERMINATED'] }),
          next: undefined,
          pageCount: undefined,
          scan: { scanned: 37, cutShort: false },
        }),
      );
      const text = allText(message);
      expect(text).toContain('No instances with status `FAILED` or `TERMINATED` on this page among the 37 instances checked');
      expect(text).not.toContain('Next');
    });

    it('a page past the end (history shrank) says so', () => {
      const message = build(model({ instances: [], total: 37, cursor: cursor({ offset: 40 }), prev: cursor({ offset: 35 }), next: undefined }));
      expect(allText(message)).toContain('Nothing on this page');
    });
  });

  it('a status-filtered scan that was cut short says so and how to narrow it', () => {
    const filtered = cursor({ statuses: ['FAILED'], offset: 200, back: [0] });
    const message = build(
      model({
        instances: mockupInstances().slice(2, 3),
        total: 5000,
        cursor: filtered,
        prev: cursor({ statuses: ['FAILED'], offset: 0 }),
        next: cursor({ statuses: ['FAILED'], offset: 400, back: [0, 200] }),
        pageNumber: 2,
        pageCount: undefined,
        scan: { scanned: 200, cutShort: true },
      }),
    );
    expect(message).toMatchSnapshot();
    const contexts = contextTexts(message).join('\n');
    expect(contexts).toContain('page 2  ·');
    expect(contexts).not.toMatch(/page 2 of/);
    expect(contexts).toContain('200 instances scanned');
    expect(contexts).toContain('filtered by status `FAILED`');
    expect(contexts).toMatch(/scan stopped after 200 instances/);
    expect(contexts).toContain('press *Next* to keep scanning');
    expect(contexts).toContain('`job:&lt;job_id&gt;`');
    expect(message.text).toBe('History of fl-demo (status FAILED): 5,000 instances, page 2');
  });

  it('does not suggest a job filter that is already set', () => {
    const message = build(model({ cursor: cursor({ statuses: ['FAILED'], jobId: 'j1' }), scan: { scanned: 200, cutShort: true }, pageCount: undefined }));
    expect(contextTexts(message).join('\n')).not.toContain('job:&lt;');
  });

  it('marks simulated data clearly, and only then', () => {
    const simulated = build(model({ simulated: true }));
    expect(contextTexts(simulated)[0]).toMatch(/Simulated data.*built-in simulator/);
    expect(simulated.text).toContain('simulated');
    expect(allText(build(model()))).not.toMatch(/simulat/i);
  });

  it('shows the raw id when the league has no alias', () => {
    const message = build(model({ league: { id: LEAGUE_ID }, cursor: cursor({ league: LEAGUE_ID }) }));
    expect((message.blocks[0] as { text: { text: string } }).text.text).toContain(LEAGUE_ID);
    expect(contextTexts(message)[0]).not.toContain('league id');
  });

  it('renders unknown statuses and types verbatim with a neutral emoji, escaped', () => {
    const odd = instance({ id: 'x1', jobName: 'odd', status: 'QUARANTINED', type: 'VFL_<NEW>' });
    const [row] = rows(build(model({ instances: [odd] })));
    expect(row?.text.text).toMatch(/^:grey_question: \*QUARANTINED\*/);
    expect(row?.text.text).toContain('VFL_&lt;NEW&gt;');
  });

  it('escapes job names and partners so data cannot mention @channel or forge links', () => {
    const evil = instance({ id: 'x1', jobName: '<!channel> & <https://evil|click>', jobPartner: '<@U123>', status: 'FAILED' });
    const text = rows(build(model({ instances: [evil] })))[0]?.text.text ?? '';
    expect(text).toContain('*&lt;!channel&gt; &amp; &lt;https://evil|click&gt;*');
    expect(text).toContain('partner &lt;@U123&gt;');
    expect(text.replace(/<!date\^[^>]+>/g, '')).not.toMatch(/[<>]/);
  });

  it('keeps a multi-line name on its row', () => {
    const [row] = rows(build(model({ instances: [instance({ id: 'x1', jobName: 'line one\nline two' })] })));
    expect(row?.text.text.split('\n')).toHaveLength(2);
    expect(row?.text.text).toContain('*line one line two*');
  });

  it('shows a full 128-character Chinese name', () => {
    const name = '联邦学习'.repeat(32);
    const [row] = rows(build(model({ instances: [instance({ id: 'x1', jobName: name })] })));
    expect(row?.text.text).toContain(`*${name}*`);
  });

  it('labels single-party prediction only for VFL_PREDICT', () => {
    const single = instance({ id: 'p1', type: 'VFL_PREDICT', isSinglePredict: true });
    const notPredict = instance({ id: 'p2', type: 'HFL', isSinglePredict: true });
    const [a, b] = rows(build(model({ instances: [single, notPredict] })));
    expect(a?.text.text).toContain('single-party prediction');
    expect(b?.text.text).not.toContain('prediction');
  });

  describe('worst case', () => {
    // Every field at or beyond what TICS allows, chosen to grow when escaped.
    const worstInstance = (i: number): JobInstance => ({
      id: `${i}`.padStart(32, 'f'),
      jobName: '联&<'.repeat(43).slice(0, 128),
      type: 'X'.repeat(200),
      status: '&'.repeat(200),
      roundId: 1000,
      startTime: NOW - 400 * 24 * 60 * MINUTE,
      endTime: NOW - 1000,
      isSinglePredict: false,
      jobPartner: '<&>'.repeat(400),
      ext: '{}',
      resultExt: 'x'.repeat(512),
    });
    const worstCursor = (offset: number): HistoryCursor => ({
      v: 1,
      league: 'a'.repeat(64),
      jobId: 'j'.repeat(32),
      statuses: Array.from({ length: 10 }, () => 'S'.repeat(32)),
      limit: 100,
      offset,
      back: Array.from({ length: 40 }, () => 2_147_483_647),
    });
    const worst = (count: number): HistoryViewModel => ({
      league: { id: 'b'.repeat(32), alias: 'a'.repeat(64) },
      instances: Array.from({ length: count }, (_, i) => ({ ...worstInstance(i), type: 'VFL_PREDICT' })),
      total: 2_147_483_647,
      cursor: worstCursor(1_000_000),
      prev: worstCursor(999_900),
      next: worstCursor(1_000_100),
      pageNumber: 10_001,
      scan: { scanned: 1_000_000, cutShort: true },
      fetchedAt: NOW,
      now: NOW,
      simulated: true,
    });

    it(`fits Slack's limits with ${MAX_ROWS_PER_MESSAGE} rows of maximal data`, () => {
      const message = build(worst(MAX_ROWS_PER_MESSAGE));
      expect(rows(message)).toHaveLength(MAX_ROWS_PER_MESSAGE);
      expect(message.blocks.length).toBeLessThanOrEqual(LIMITS.blocksPerMessage);
      expect(blockTextLength(message)).toBeLessThanOrEqual(LIMITS.totalBlockText);
    });

    it('also fits with unknown statuses and types at full length', () => {
      const instances = worst(MAX_ROWS_PER_MESSAGE).instances.map((i) => ({ ...i, type: 'Y'.repeat(300) }));
      build({ ...worst(0), instances });
    });

    it('caps an over-long page at the row limit and says so', () => {
      const message = build(worst(100));
      expect(rows(message)).toHaveLength(MAX_ROWS_PER_MESSAGE);
      expect(contextTexts(message).join('\n')).toContain(`Showing the first ${MAX_ROWS_PER_MESSAGE} of 100 instances`);
    });
  });
});
