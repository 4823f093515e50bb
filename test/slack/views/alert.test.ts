import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCursor, type HistoryCursor } from '../../../src/slack/cursor.js';
import {
  ALERT_ACTIONS,
  buildAlertMessage,
  buildDigestMessage,
  DIGEST_MAX_LINES,
  jobHistoryCursor,
  type AlertContext,
} from '../../../src/slack/views/alert.js';
import type { SlackMessage } from '../../../src/slack/views/format.js';
import type { JobInstance } from '../../../src/tics/schema.js';
import type { AlertItem } from '../../../src/watch/types.js';
import { assertWithinSlackLimits, LIMITS } from '../../helpers/block-kit-limits.js';
import { instance, MINUTE, NOW } from './fixtures.js';
import { fixture, type Overrides } from '../../helpers/overrides.js';

const CREDIT = { id: '9ab0c1d2e3f4a5b6c7d8e9f0a1b2c3d4', alias: 'credit-risk' };
const CTX: AlertContext = { now: NOW };

function alert(overrides: Overrides<Omit<AlertItem, 'instance'>> & { instance?: Overrides<JobInstance> } = {}): AlertItem {
  const inst = instance({
    jobName: 'credit-score-xgb-train',
    type: 'VFL_TRAIN',
    status: 'FAILED',
    startTime: NOW - 20 * MINUTE,
    endTime: NOW - 7 * MINUTE,
    roundId: 14,
    jobPartner: 'bank-b',
    resultExt: '{"error":"partner bank-b dropped at round 14"}',
    ...overrides.instance,
    id: overrides.instance?.id ?? 'a41c9e0f52b74c1e9d0a3f6e21b8c7d5',
  });
  const league = overrides.league ?? CREDIT;
  const to = overrides.to ?? inst.status;
  return fixture<AlertItem>({
    key: `${league.id}:C0ALERTS|${inst.id}:${to}:${inst.endTime ?? ''}`,
    subscriptionId: `${league.id}:C0ALERTS`,
    channelId: 'C0ALERTS',
    league,
    from: 'RUNNING',
    to,
    observedAt: NOW,
    ...overrides,
    instance: inst,
  });
}

/** Every message a test builds must be one Slack would accept. */
function single(item: AlertItem, ctx: AlertContext = CTX): SlackMessage {
  const message = buildAlertMessage(item, ctx);
  assertWithinSlackLimits(message);
  return message;
}
function digest(items: AlertItem[], ctx: AlertContext = CTX): SlackMessage {
  const message = buildDigestMessage(items, ctx);
  assertWithinSlackLimits(message);
  return message;
}

type Btn = { action_id: string; text: { text: string }; value: string; style?: string };
type Field = { text: string };
const header = (m: SlackMessage) => (m.blocks[0] as unknown as { type: string; text: { text: string } }).text.text;
const fields = (m: SlackMessage) => (m.blocks.find((b) => b.type === 'section' && 'fields' in b) as unknown as { fields: Field[] }).fields;
const field = (m: SlackMessage, label: string) => fields(m).find((f) => f.text.startsWith(`*${label}*\n`))?.text.slice(label.length + 3);
const labels = (m: SlackMessage) => fields(m).map((f) => f.text.split('\n')[0]);
const sectionTexts = (m: SlackMessage) => m.blocks.filter((b) => b.type === 'section' && 'text' in b).map((b) => (b as unknown as { text: Field }).text.text);
const contextTexts = (m: SlackMessage) =>
  m.blocks.filter((b) => b.type === 'context').map((b) => (b as unknown as { elements: Field[] }).elements.map((e) => e.text).join(' '));
const actionButtons = (m: SlackMessage) => m.blocks.filter((b) => b.type === 'actions').flatMap((b) => (b as unknown as { elements: Btn[] }).elements);
const accessories = (m: SlackMessage) =>
  m.blocks.filter((b) => b.type === 'section' && 'accessory' in b).map((b) => b as unknown as { text: Field; accessory: Btn });
const decoded = (value: string | undefined): HistoryCursor => {
  const result = decodeCursor(value);
  if (!result.ok) throw new Error(result.reason);
  return result.cursor;
};

describe('buildAlertMessage', () => {
  it('lays out a failure', () => {
    const message = single(alert());
    expect(message).toMatchSnapshot();
    expect(header(message)).toBe('❌ FAILED · credit-score-xgb-train');
    expect(labels(message)).toEqual([
      '*League*',
      '*Type*',
      '*Started*',
      '*Ended*',
      '*Duration*',
      '*Previous status*',
      '*Instance*',
      '*Rounds*',
      '*Partner*',
    ]);
    expect(field(message, 'League')).toBe(`credit-risk \`${CREDIT.id}\``);
    expect(field(message, 'Type')).toBe('Vertical FL training');
    expect(field(message, 'Started')).toBe(`<!date^${(NOW - 20 * MINUTE) / 1000}^{date_short_pretty} {time}|2026-11-27 09:10 UTC>`);
    expect(field(message, 'Ended')).toContain('|2026-11-27 09:23 UTC>');
    expect(field(message, 'Duration')).toBe('Failed after 13 minutes');
    expect(field(message, 'Previous status')).toBe('was `RUNNING`');
    expect(field(message, 'Instance')).toBe('`a41c9e0f52b74c1e9d0a3f6e21b8c7d5`');
    expect(field(message, 'Rounds')).toBe('14');
    expect(field(message, 'Partner')).toBe('bank-b');
    expect(contextTexts(message).join(' ')).toContain(`detected <!date^${NOW / 1000}^`);
    expect(contextTexts(message).join(' ')).toContain('`/tics unwatch credit-risk`');
  });

  it('says what failed where in plain words in the notification text', () => {
    expect(single(alert()).text).toBe('❌ FAILED: credit-score-xgb-train (Vertical FL training) in credit-risk — failed after 13 minutes');
    expect(single(alert({ league: { id: CREDIT.id } })).text).toContain(`in ${CREDIT.id} —`);
  });

  it('keeps the notification text free of mrkdwn tokens but escapes & < >', () => {
    const message = single(alert({ instance: { jobName: '<!channel> A&B *bold* <https://x|y>', jobPartner: '<!channel>' } }));
    expect(message.text).toBe(
      '❌ FAILED: &lt;!channel&gt; A&amp;B *bold* &lt;https://x|y&gt; (Vertical FL training) in credit-risk — failed after 13 minutes',
    );
    expect(message.text).not.toMatch(/<!date|[<>]/);
    // No mrkdwn text lets data become a mention (plain_text and button values are never parsed).
    const mrkdwn: string[] = [];
    JSON.stringify(message.blocks, (_key, value: { type?: string; text?: string }) => {
      if (value?.type === 'mrkdwn' && value.text) mrkdwn.push(value.text);
      return value;
    });
    expect(mrkdwn.join('\n')).toContain('&lt;!channel&gt;');
    expect(mrkdwn.join('\n')).not.toContain('<!channel>');
    expect(header(message)).toBe('❌ FAILED · <!channel> A&B *bold* <https://x|y>'); // plain_text: shown literally, not parsed
  });

  it('gives each status its own cue, and renders unknown statuses and types as-is', () => {
    const terminated = single(alert({ instance: { status: 'TERMINATED' }, to: 'TERMINATED' }));
    expect(header(terminated)).toBe('🛑 TERMINATED · credit-score-xgb-train');
    expect(terminated.text).toMatch(/^🛑 TERMINATED: .* — stopped after 13 minutes$/);

    const succeeded = single(alert({ instance: { status: 'SUCCEEDED', resultExt: '' }, to: 'SUCCEEDED' }));
    expect(header(succeeded)).toBe('✅ SUCCEEDED · credit-score-xgb-train');
    expect(succeeded.text).toMatch(/^✅ SUCCEEDED: .* — took 13 minutes$/);
    expect(sectionTexts(succeeded)).toHaveLength(0); // blank result_ext → no result section

    const unknown = single(alert({ instance: { status: 'QUARANTINED', type: 'VFL_QUANTUM' }, to: 'QUARANTINED' }));
    expect(unknown).toMatchSnapshot();
    expect(header(unknown)).toBe('❔ QUARANTINED · credit-score-xgb-train');
    expect(unknown.text).toBe('❔ QUARANTINED: credit-score-xgb-train (VFL_QUANTUM) in credit-risk — ran 13 minutes');
    expect(field(unknown, 'Type')).toBe('VFL_QUANTUM');
  });

  it('handles Chinese names whole', () => {
    const message = single(alert({ instance: { jobName: '联邦训练-信用评分', type: 'HFL' }, league: { id: CREDIT.id, alias: 'fl-demo' } }));
    expect(header(message)).toBe('❌ FAILED · 联邦训练-信用评分');
    expect(message.text).toBe('❌ FAILED: 联邦训练-信用评分 (Horizontal FL) in fl-demo — failed after 13 minutes');
    expect(decoded(actionButtons(message)[0]?.value).jobName).toBe('联邦训练-信用评分');
  });

  it('explains an instance first seen already finished', () => {
    const message = single(alert({ from: undefined }));
    expect(field(message, 'Previous status')).toBe('first seen already `FAILED`\n_it ended between polls or while tics-bot was down_');
  });

  it('pretty-prints a JSON result_ext in a code block, and shows other text escaped', () => {
    expect(sectionTexts(single(alert()))).toEqual(['*Result* (`result_ext`)\n```{\n  "error": "partner bank-b dropped at round 14"\n}```']);
    expect(sectionTexts(single(alert({ instance: { resultExt: '  loss > 2 & <oops>  ' } })))).toEqual([
      '*Result* (`result_ext`)\nloss &gt; 2 &amp; &lt;oops&gt;',
    ]);
  });

  it('cuts a huge result_ext to an excerpt that cannot break out of its fence', () => {
    const json = JSON.stringify({ trace: Array.from({ length: 3000 }, (_, i) => `frame ${i} <&> \`\`\``) });
    const [jsonText] = sectionTexts(single(alert({ instance: { resultExt: json } })));
    expect(jsonText).toMatch(/…```$/);
    expect(jsonText?.match(/```/g)).toHaveLength(2);
    expect(jsonText!.length).toBeLessThan(1400);

    const [plain] = sectionTexts(single(alert({ instance: { resultExt: 'x'.repeat(50_000) } })));
    expect(plain).toMatch(/x…$/);
    expect(plain!.length).toBeLessThan(1400);
  });

  it('leaves out facts TICS did not send instead of showing blanks', () => {
    const message = single(
      alert({ instance: { jobName: '', type: 'SQL', startTime: undefined, endTime: undefined, roundId: undefined, jobPartner: undefined, resultExt: undefined } }),
    );
    expect(message).toMatchSnapshot();
    expect(header(message)).toBe('❌ FAILED · unnamed job');
    expect(message.text).toBe('❌ FAILED: unnamed job (Federated SQL) in credit-risk — never started');
    expect(labels(message)).not.toContain('*Rounds*');
    expect(labels(message)).not.toContain('*Partner*');
    expect(field(message, 'Started')).toBe('never started');
    expect(field(message, 'Ended')).toBe('not reported');
  });

  it('shows the prediction mode only for a VFL prediction that says it', () => {
    const predict = single(alert({ instance: { type: 'VFL_PREDICT', isSinglePredict: true } }));
    expect(field(predict, 'Prediction')).toBe('Single-party prediction');
    expect(fields(predict)).toHaveLength(LIMITS.sectionFields);
    expect(labels(single(alert({ instance: { type: 'VFL_PREDICT' } })))).not.toContain('*Prediction*');
    expect(labels(single(alert({ instance: { type: 'HFL', isSinglePredict: true } })))).not.toContain('*Prediction*');
  });

  it('has a Job history button that decodes to that job’s history', () => {
    const item = alert();
    const [button, ...others] = actionButtons(single(item));
    expect(others).toHaveLength(0);
    expect(button).toMatchObject({ action_id: ALERT_ACTIONS.jobHistory, text: { text: 'Job history' }, style: 'primary' });
    const cursor = decoded(button?.value);
    expect(cursor).toEqual(jobHistoryCursor(item));
    expect(cursor).toEqual({ v: 1, league: 'credit-risk', jobName: 'credit-score-xgb-train', limit: 10, offset: 0 });
  });

  it('falls back to the league history when the job has no name or a name the cursor cannot carry', () => {
    const unnamed = alert({ instance: { jobName: '' } });
    expect(jobHistoryCursor(unnamed)).toEqual({ v: 1, league: 'credit-risk', limit: 10, offset: 0 });
    const [button] = actionButtons(single(unnamed));
    expect(button?.text.text).toBe('League history');
    expect(decoded(button?.value)).toEqual({ v: 1, league: 'credit-risk', limit: 10, offset: 0 });

    const tooLong = alert({ instance: { jobName: 'n'.repeat(129) }, league: { id: CREDIT.id } });
    const [fallback] = actionButtons(single(tooLong));
    expect(fallback?.text.text).toBe('League history');
    expect(decoded(fallback?.value)).toEqual({ v: 1, league: CREDIT.id, limit: 10, offset: 0 });
  });

  it('omits the button rather than offer one the handler would refuse', () => {
    const message = single(alert({ league: { id: 'not a league id!' } }));
    expect(message.blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  it('notes simulated data in the blocks and the notification', () => {
    const message = single(alert(), { now: NOW, simulated: true });
    expect(contextTexts(message).join(' ')).toContain('Simulated data');
    expect(message.text).toMatch(/\[simulated\]$/);
    expect(JSON.stringify(single(alert()))).not.toMatch(/[Ss]imulated/);
  });

  it('stays within Slack limits whatever the data', () => {
    const text = fc.string({ unit: fc.constantFrom('a', '&', '<', '>', '`', '联', '👩‍👩‍👧', ' ', '\n', '*'), maxLength: 3000 });
    fc.assert(
      fc.property(
        fc.record({ jobName: text, status: text, type: text, jobPartner: text, resultExt: text, id: text }),
        fc.option(text, { nil: undefined }),
        (inst, from) => {
          const item = alert({ instance: inst, to: inst.status, from, league: { id: CREDIT.id, alias: 'x'.repeat(64) } });
          const message = buildAlertMessage(item, CTX);
          assertWithinSlackLimits(message);
          expect(message.text).not.toMatch(/[<>]/);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('buildDigestMessage', () => {
  const statuses = ['FAILED', 'FAILED', 'TERMINATED'];
  const many = (n: number, league = CREDIT) =>
    Array.from({ length: n }, (_, i) => {
      const status = statuses[i % statuses.length]!;
      return alert({
        league,
        to: status,
        from: i % 4 === 0 ? undefined : 'RUNNING',
        observedAt: NOW + i * 1000,
        instance: { id: `inst${i}`, jobName: `job-${i}`, status, endTime: NOW - 7 * MINUTE + i },
      });
    });
  /** The per-alert lines: the sections after the divider. */
  const lines = (m: SlackMessage) =>
    m.blocks
      .slice(m.blocks.findIndex((b) => b.type === 'divider'))
      .filter((b) => b.type === 'section')
      .flatMap((b) => (b as unknown as { text: Field }).text.text.split('\n'));

  it('summarises six alerts in one league', () => {
    const message = digest(many(6));
    expect(message).toMatchSnapshot();
    expect(header(message)).toBe('🚨 6 job alerts in credit-risk');
    expect(message.text).toBe('🚨 6 job alerts in credit-risk: 4 FAILED, 2 TERMINATED — job-0, job-1, job-2 and 3 more');
    expect(sectionTexts(message)[0]).toBe(':x: *4* FAILED  ·  :octagonal_sign: *2* TERMINATED\n_2 of them first seen already finished: they ended between polls or while tics-bot was down._');
    expect(lines(message)).toHaveLength(6);
    expect(lines(message)[0]).toMatch(/^:x: \*FAILED\* · \*job-0\* · Vertical FL training · failed after 13 minutes · ended <!date\^\d+\^[^|]+\|2026-11-27 09:23 UTC> · _first seen finished_$/);
    expect(lines(message)[0]).not.toContain('credit-risk'); // one league: named once, in the header
    expect(contextTexts(message).join(' ')).not.toContain('more not listed');
  });

  it('offers each league’s history filtered to the statuses that alerted', () => {
    const [league] = accessories(digest(many(6)));
    expect(league?.text.text).toBe(`*credit-risk* \`${CREDIT.id}\` — 6 alerts: 4 FAILED, 2 TERMINATED`);
    expect(league?.accessory.action_id).toBe(ALERT_ACTIONS.jobHistory);
    expect(decoded(league?.accessory.value)).toEqual({ v: 1, league: 'credit-risk', statuses: ['FAILED', 'TERMINATED'], limit: 10, offset: 0 });
  });

  it.each([
    [50, 34, 16],
    [500, 334, 166],
  ])('keeps %i alerts within limits, counted right, listing a capped few', (n, failed, terminated) => {
    const message = digest(many(n));
    expect(header(message)).toBe(`🚨 ${n} job alerts in credit-risk`);
    expect(sectionTexts(message)[0]).toContain(`:x: *${failed}* FAILED  ·  :octagonal_sign: *${terminated}* TERMINATED`);
    expect(message.text).toContain(`${failed} FAILED, ${terminated} TERMINATED`);
    const listed = lines(message);
    expect(listed).toHaveLength(DIGEST_MAX_LINES);
    expect(contextTexts(message).join(' ')).toContain(
      `…and ${n - DIGEST_MAX_LINES} more not listed here. See them with \`/tics history credit-risk status:failed,terminated\`.`,
    );
  });

  it('spreads alerts over leagues, names the league on each line and caps the league sections', () => {
    const leagues = Array.from({ length: 7 }, (_, i) => ({ id: `league${i}`, alias: `team-${i}` }));
    const items = leagues.flatMap((league, i) => many(i + 1, league)); // team-6 has most
    const message = digest(items);
    expect(message).toMatchSnapshot();
    expect(header(message)).toBe(`🚨 ${items.length} job alerts in 7 leagues`);
    expect(message.text).toMatch(/^🚨 28 job alerts in team-6, team-5 and 5 more leagues: /);
    const sections = accessories(message);
    expect(sections.map((s) => s.text.text.split(' ')[0])).toEqual(['*team-6*', '*team-5*', '*team-4*', '*team-3*', '*team-2*']);
    expect(contextTexts(message).join(' ')).toContain('…and 2 more leagues with 3 alerts.');
    expect(lines(message)[0]).toContain(' · team-0 · ');
  });

  it('stays within limits with the longest names, statuses and leagues there can be', () => {
    const items = Array.from({ length: 500 }, (_, i) =>
      alert({
        league: { id: `L${i % 40}`, alias: `${'a'.repeat(60)}${i % 40}` },
        to: `<&>${'S'.repeat(60)}${i % 12}`,
        from: undefined,
        instance: { id: `i${i}`, jobName: '&<联>'.repeat(40), type: '&'.repeat(80), status: 'X', resultExt: 'r'.repeat(5000) },
      }),
    );
    const message = digest(items, { now: NOW, simulated: true });
    expect(sectionTexts(message)[0]).toContain('with other statuses');
    expect(message.text.length).toBeLessThanOrEqual(400);
  });

  it('does not list an unknown status as a history filter the command would reject', () => {
    const items = many(6).map((item) => ({ ...item, to: 'weird status' }));
    const message = digest(items.concat(many(30).slice(0, 30)));
    expect(decoded(accessories(message)[0]?.accessory.value).statuses).toEqual(['FAILED', 'TERMINATED']);
    const note = contextTexts(message).find((t) => t.includes('more not listed'));
    expect(note).toContain('status:failed,terminated`');
  });

  it('says when detection spanned a while', () => {
    const context = contextTexts(digest(many(6))).at(-1);
    expect(context).toMatch(new RegExp(`detected <!date\\^${NOW / 1000}\\^.*> – <!date\\^${NOW / 1000 + 5}\\^`));
  });
});
