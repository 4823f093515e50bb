import { describe, expect, it } from 'vitest';
import { decodeCursor } from '../../../src/slack/cursor.js';
import { ALERT_ACTIONS, type AlertContext } from '../../../src/slack/views/alert.js';
import type { SlackMessage } from '../../../src/slack/views/format.js';
import {
  buildIncidentParent,
  buildThreadLine,
  INCIDENT_ACTIONS,
  INCIDENT_BLOCK_PREFIX,
  incidentRefFromBlockId,
} from '../../../src/slack/views/incident.js';
import { decodeIncidentRef } from '../../../src/slack/incident-ref.js';
import type { Incident } from '../../../src/watch/incidents/types.js';
import type { IncidentView, ThreadLine } from '../../../src/watch/types.js';
import { assertWithinSlackLimits } from '../../helpers/block-kit-limits.js';
import { HOUR, MINUTE, NOW } from './fixtures.js';
import { ACK, CREDIT, failedInstance, failureEvent, incident, resolvedIncident, SLOT, snooze, stuckEvent } from './incident-fixtures.js';

const CTX: AlertContext = { now: NOW };

type Json = Record<string, unknown>;
type Element = { type: string; action_id: string; text?: { text: string }; value?: string; style?: string; confirm?: Json; options?: Json[]; placeholder?: { text: string } };

/** What the shared oracle does not cover yet: selects, options and confirm dialogs (Slack's limits). */
function assertElementsWithinLimits(message: SlackMessage): void {
  for (const element of elements(message)) {
    if (element.type === 'static_select') {
      expect(element.placeholder!.text.length).toBeLessThanOrEqual(150);
      expect(element.options!.length).toBeLessThanOrEqual(100);
      for (const option of element.options as Array<{ text: { text: string }; value: string }>) {
        expect(option.text.text.length).toBeLessThanOrEqual(75);
        expect(option.value.length).toBeLessThanOrEqual(150);
      }
    }
    const confirm = element.confirm as { title: { text: string }; text: { text: string }; confirm: { text: string }; deny: { text: string } } | undefined;
    if (confirm) {
      expect(confirm.title.text.length).toBeLessThanOrEqual(100);
      expect(confirm.text.text.length).toBeLessThanOrEqual(300);
      expect(confirm.confirm.text.length).toBeLessThanOrEqual(30);
      expect(confirm.deny.text.length).toBeLessThanOrEqual(30);
    }
  }
}

/** Every message a test builds must be one Slack would accept. */
function parent(view: IncidentView, ctx: AlertContext = CTX): SlackMessage {
  const message = buildIncidentParent(view, ctx);
  assertWithinSlackLimits(message);
  assertElementsWithinLimits(message);
  return message;
}
function line(l: ThreadLine, inc: Incident = incident(), ctx: AlertContext = CTX): SlackMessage {
  const message = buildThreadLine(inc, l, ctx);
  assertWithinSlackLimits(message);
  expect(message.blocks).toHaveLength(1);
  // Thread lines never notify through their text; only Slack user ids may be mentioned in blocks.
  expect(message.text).not.toMatch(/<[@!#]/);
  return message;
}

const header = (m: SlackMessage) => (m.blocks[0] as unknown as { type: string; text: { text: string } }).text.text;
const fields = (m: SlackMessage) =>
  m.blocks.filter((b) => b.type === 'section' && 'fields' in b).flatMap((b) => (b as unknown as { fields: Array<{ text: string }> }).fields);
const field = (m: SlackMessage, label: string) => fields(m).find((f) => f.text.startsWith(`*${label}*\n`))?.text.slice(label.length + 3);
const labels = (m: SlackMessage) => fields(m).map((f) => f.text.split('\n')[0]);
const contexts = (m: SlackMessage) =>
  m.blocks.filter((b) => b.type === 'context').map((b) => (b as unknown as { elements: Array<{ text: string }> }).elements.map((e) => e.text).join(' '));
const elements = (m: SlackMessage) => m.blocks.filter((b) => b.type === 'actions').flatMap((b) => (b as unknown as { elements: Element[] }).elements);
const actionIds = (m: SlackMessage) => elements(m).map((e) => e.action_id);
const actionsBlock = (m: SlackMessage) => m.blocks.find((b) => b.type === 'actions') as unknown as { block_id?: string; elements: Element[] };
const lineText = (m: SlackMessage) => (m.blocks[0] as unknown as { text: { text: string } }).text.text;
/** Every string in the payload that Slack parses as mrkdwn, plus the top-level text. */
function parsedTexts(m: SlackMessage): string[] {
  const out = [m.text];
  JSON.stringify(m.blocks, (_key, value: { type?: string; text?: string }) => {
    if (value?.type === 'mrkdwn' && value.text) out.push(value.text);
    return value;
  });
  return out;
}

const timedSnooze = snooze();
const successSnooze = snooze({ id: 'sn-9c1d', until: undefined, untilSuccess: true });

describe('buildIncidentParent: open', () => {
  it('summarises the failures, the latest instance and the controls', () => {
    const message = parent({ incident: incident() });
    expect(message).toMatchSnapshot();
    expect(header(message)).toBe('❌ FAILED · credit-score-xgb-train');
    // The alert as it has always looked, about the latest failure, then the running summary.
    expect(labels(message)).toEqual(['*League*', '*Type*', '*Started*', '*Ended*', '*Duration*', '*Previous status*', '*Instance*', '*Failing since*', '*Failures*']);
    expect(field(message, 'League')).toBe(`credit-risk \`${CREDIT.id}\``);
    expect(field(message, 'Failures')).toBe('4 failures');
    expect(field(message, 'Instance')).toBe('`f96b4d5e07a29b6d4c5f8e1d76a3b2c0`');
    expect(message.text).toBe('❌ FAILED: credit-score-xgb-train (Vertical FL training) in credit-risk — 4 failures since 2026-11-27 04:31 UTC');
    expect(contexts(message).join(' ')).toContain('`/tics unwatch credit-risk`');
    expect(actionIds(message)).toEqual([
      INCIDENT_ACTIONS.acknowledge,
      INCIDENT_ACTIONS.snooze,
      INCIDENT_ACTIONS.snoozeUntilSuccess,
      ALERT_ACTIONS.jobHistory,
    ]);
    expect(elements(message)[0]!.style).toBe('primary');
    // A first failure reads as the plain alert it is: no summary yet.
    const first = parent({ incident: incident({ events: 1 }) });
    expect(first.text).not.toContain('failure since');
    expect(labels(first)).not.toContain('*Failures*');
  });

  it('offers 1 h, 8 h and 24 h in a select, and asks before snoozing until it succeeds', () => {
    const [, select, untilSuccess] = elements(parent({ incident: incident() }));
    expect(select!.type).toBe('static_select');
    expect(select!.placeholder!.text).toBe('Snooze…');
    expect(select!.options).toEqual([
      { text: { type: 'plain_text', text: '1 hour', emoji: false }, value: '1h' },
      { text: { type: 'plain_text', text: '8 hours', emoji: false }, value: '8h' },
      { text: { type: 'plain_text', text: '24 hours', emoji: false }, value: '24h' },
    ]);
    expect(select).not.toHaveProperty('confirm');
    expect(untilSuccess!.text!.text).toBe('Snooze until it succeeds');
    expect(untilSuccess!.confirm).toMatchObject({
      title: { type: 'plain_text' },
      text: { type: 'plain_text', text: expect.stringContaining('this job in this channel stay quiet until an instance') as unknown },
      confirm: { text: 'Snooze' },
      deny: { text: 'Cancel' },
    });
  });

  it('carries the incident in every incident button and in the actions block id', () => {
    const message = parent({ incident: incident() });
    const own = elements(message).filter((e) => e.action_id !== ALERT_ACTIONS.jobHistory && e.type === 'button');
    expect(own).toHaveLength(2);
    for (const button of own) expect(decodeIncidentRef(button.value)).toEqual({ ok: true, ref: { slot: SLOT, seq: 3 } });
    const blockId = actionsBlock(message).block_id!;
    expect(blockId.startsWith(INCIDENT_BLOCK_PREFIX)).toBe(true);
    expect(incidentRefFromBlockId(blockId)).toEqual({ ok: true, ref: { slot: SLOT, seq: 3 } });

    const snoozed = parent({ incident: incident(), snooze: timedSnooze });
    const unsnooze = elements(snoozed).find((e) => e.action_id === INCIDENT_ACTIONS.unsnooze)!;
    expect(decodeIncidentRef(unsnooze.value)).toEqual({ ok: true, ref: { slot: SLOT, seq: 3 } });
  });

  it('falls back to a bare block id when the ref would not fit, and the handler reads the buttons', () => {
    const slot = `${CREDIT.id}:C0ALERTS|${'x'.repeat(240)}`;
    const message = parent({ incident: incident({ slot }) });
    const block = actionsBlock(message);
    expect(block.block_id).toBe('incident');
    expect(incidentRefFromBlockId(block.block_id, message.blocks)).toEqual({ ok: true, ref: { slot, seq: 3 } });
    expect(incidentRefFromBlockId('incident', [])).toMatchObject({ ok: false });
    expect(incidentRefFromBlockId('something_else')).toMatchObject({ ok: false });
    expect(incidentRefFromBlockId(undefined)).toMatchObject({ ok: false });
    expect(incidentRefFromBlockId('incident:{"v":1,"slot":"nobar","seq":1}')).toMatchObject({ ok: false });
  });

  it('shows who acknowledged this generation, and keeps the button for a take-over', () => {
    const message = parent({ incident: incident(), ack: ACK });
    expect(message).toMatchSnapshot();
    expect(field(message, 'Acknowledged')).toBe(`<@U0ALICE42> · <!date^${(NOW - 48 * MINUTE) / 1000}^{date_short_pretty} at {time}|2026-11-27 08:42 UTC>`);
    const ack = elements(message)[0]!;
    expect(ack.action_id).toBe(INCIDENT_ACTIONS.acknowledge);
    expect(ack.text!.text).toBe('Acknowledge');
    expect(ack).not.toHaveProperty('style');
    // An ack of the slot's previous incident does not carry over.
    const stale = parent({ incident: incident(), ack: { ...ACK, seq: 2 } });
    expect(labels(stale)).not.toContain('*Acknowledged*');
    expect(elements(stale)[0]!.style).toBe('primary');
  });

  it('shows a timed snooze with what it held back, and offers Unsnooze instead of the snooze controls', () => {
    const message = parent({ incident: incident({ snoozed: { snoozeId: timedSnooze.id, count: 3 } }), snooze: timedSnooze });
    expect(message).toMatchSnapshot();
    expect(field(message, 'Snoozed')).toBe(
      `until <!date^${(NOW + 7 * HOUR) / 1000}^{date_short_pretty} {time}|2026-11-27 16:30 UTC>\nby <@U0BOB7777>\n3 alerts held back`,
    );
    expect(actionIds(message)).toEqual([INCIDENT_ACTIONS.acknowledge, INCIDENT_ACTIONS.unsnooze, ALERT_ACTIONS.jobHistory]);
    // Held-back counts of another snooze are not this one's.
    const other = parent({ incident: incident({ snoozed: { snoozeId: 'older', count: 9 } }), snooze: timedSnooze });
    expect(field(other, 'Snoozed')).not.toContain('held back');
  });

  it('shows a snooze until success, and ignores one that has expired', () => {
    const message = parent({ incident: incident(), snooze: successSnooze, ack: ACK });
    expect(message).toMatchSnapshot();
    expect(field(message, 'Snoozed')).toBe('until it succeeds\nby <@U0BOB7777>');
    expect(actionIds(message)).toContain(INCIDENT_ACTIONS.unsnooze);

    const expired = parent({ incident: incident(), snooze: snooze({ until: NOW }) });
    expect(labels(expired)).not.toContain('*Snoozed*');
    expect(actionIds(expired)).toContain(INCIDENT_ACTIONS.snooze);
  });

  it('says when the latest alert is a stuck instance, with its usual duration', () => {
    const message = parent({ incident: incident({ latest: stuckEvent('b52d0f1a63c85d2f0e1b4a7f32c9d8e6', 3 * HOUR, 40 * MINUTE) }) });
    expect(message).toMatchSnapshot();
    expect(header(message)).toBe('⏳ Stuck in RUNNING · credit-score-xgb-train');
    expect(field(message, 'Latest')).toBe(':large_blue_circle: *RUNNING* · `b52d0f1a63c85d2f0e1b4a7f32c9d8e6`\nrunning for 3 hours (usually 40 minutes)');
    expect(message.text).toBe('⏳ Stuck in RUNNING: credit-score-xgb-train (Vertical FL training) in credit-risk');
    const noUsual = parent({ incident: incident({ latest: stuckEvent('b52d', 3 * HOUR) }) });
    expect(field(noUsual, 'Latest')).toMatch(/\nrunning for 3 hours$/);
  });

  it('names the owners once, in the text and a cc line, dropping anything not a user or group token', () => {
    const notify = ['<@U0OWNER1>', '<!subteam^S0TEAM99>', '<!channel>', '<!here>', '<@U0OWNER1|alice>', '@bob', '<!subteam^S1|@x>', '<#C123>'];
    const message = parent({ incident: incident({ notify }) });
    expect(message.text.endsWith(' cc <@U0OWNER1> <!subteam^S0TEAM99>')).toBe(true);
    expect(contexts(message)).toContain('cc <@U0OWNER1> <!subteam^S0TEAM99>');
    const all = JSON.stringify(message);
    for (const bad of ['<!channel>', '<!here>', '|alice', '@bob', '<#C123>', 'S1|']) expect(all).not.toContain(bad);
    expect(parent({ incident: incident({ notify: ['<!everyone>'] }) }).text).not.toContain(' cc ');
  });

  it('shows why the first failure failed, escaped and cut, under the alert facts', () => {
    const summary = {
      failedStage: { stage: 'train', node: 'agentBank01', party: '<!channel> bank', task: 'train_task_1', info: '{"error":"OOM"}' },
      partners: ['bank', 'insurer & co'],
      resultInfo: 'x'.repeat(5000),
    };
    const first = failureEvent('f96b4d5e07a29b6d4c5f8e1d76a3b2c0', 10 * MINUTE, { summary });
    const message = parent({ incident: incident({ events: 1, first, latest: first }) });
    expect(message).toMatchSnapshot();
    const why = message.blocks[2] as unknown as { text: { text: string } };
    expect(why.text.text).toMatch(/^\*Why it failed\*\nStage `train` failed on `agentBank01` \(&lt;!channel&gt; bank\) · task `train_task_1`\n> \{"error":"OOM"\}\nPartners: bank, insurer &amp; co\nResult info: x+…$/);
    assertWithinSlackLimits(message);
  });

  it('renders an unknown status with the fallback emoji', () => {
    const latest = failureEvent('c63e', 5 * MINUTE, { status: 'QUARANTINED' });
    const message = parent({ incident: incident({ latest }) });
    expect(header(message)).toBe('❔ QUARANTINED · credit-score-xgb-train');
    expect(message.text).toMatch(/^❔ QUARANTINED: credit-score-xgb-train/);
  });

  it('marks simulated data', () => {
    const message = parent({ incident: incident() }, { now: NOW, simulated: true });
    expect(message.text.endsWith('[simulated]')).toBe(true);
    expect(contexts(message).join(' ')).toContain('Simulated data');
  });
});

describe('buildIncidentParent: resolved and superseded', () => {
  it('turns a resolved incident into a colour-free summary with only Job history', () => {
    const message = parent({ incident: resolvedIncident(), ack: ACK, snooze: successSnooze });
    expect(message).toMatchSnapshot();
    expect(header(message)).toBe('✔️ Resolved · credit-score-xgb-train');
    expect(header(message)).not.toMatch(/✅|🟢|🔴|🟡/u);
    expect(field(message, 'Failures')).toBe('4 failures');
    expect(field(message, 'Lasted')).toMatch(/^4 hours 59 minutes\n<!date\^/);
    expect(field(message, 'Resolved by')).toMatch(/^`0a7c5e6f18b30c7e5d6a9f2e87b4c3d1` SUCCEEDED\n<!date\^/);
    expect(actionIds(message)).toEqual([ALERT_ACTIONS.jobHistory]);
    expect(actionsBlock(message).block_id).toBeUndefined();
    expect(message.text).toBe('✔️ Resolved: credit-score-xgb-train in credit-risk after 4 failures over 4 hours 59 minutes');
  });

  it('says a superseded incident continued in a new alert, with only Job history', () => {
    const message = parent({ incident: incident({ state: 'superseded' }), ack: ACK, snooze: timedSnooze });
    expect(message).toMatchSnapshot();
    expect(header(message)).toBe('↪️ Superseded · credit-score-xgb-train');
    expect(JSON.stringify(message.blocks)).toContain('failed again more than 24 hours later: continued in a new alert'.replace(/^f/, 'F'));
    expect(actionIds(message)).toEqual([ALERT_ACTIONS.jobHistory]);
  });

  it("points Job history at the job's own history", () => {
    for (const inc of [incident(), resolvedIncident(), incident({ state: 'superseded' })]) {
      const history = elements(parent({ incident: inc })).find((e) => e.action_id === ALERT_ACTIONS.jobHistory)!;
      expect(history.text!.text).toBe('Job history');
      expect(decodeCursor(history.value)).toEqual({
        ok: true,
        cursor: { v: 1, league: 'credit-risk', jobName: 'credit-score-xgb-train', limit: 10, offset: 0 },
      });
    }
    const unnamedEvent = failureEvent('c63e', 5 * MINUTE, { instance: failedInstance('c63e', 5 * MINUTE, { jobName: '' }) });
    const unnamed = parent({ incident: incident({ job: { key: 'k', name: '', type: 'HFL' }, first: unnamedEvent, latest: unnamedEvent }) });
    expect(header(unnamed)).toBe('❌ FAILED · unnamed job');
    expect(elements(unnamed).at(-1)!.text!.text).toBe('League history');
  });
});

describe('an incident that is one stuck run', () => {
  it('says "a stuck run", not "1 failure", on the parent and when it recovers', () => {
    const stuck = stuckEvent('5e1f', 3 * HOUR);
    const open = incident({ events: 1, first: stuck, latest: stuck });
    expect(field(parent({ incident: open }), 'Failures')).toBe('a stuck run');
    const resolved = { ...open, state: 'resolved' as const, resolvedAt: NOW, resolvedBy: { ...stuck.instance, status: 'SUCCEEDED', endTime: NOW } };
    const recovery = line({ kind: 'recovery', incident: resolved, snoozedCount: 0 }, resolved);
    expect(recovery.text).toMatch(/after a stuck run;/);
    expect(JSON.stringify(recovery)).not.toContain('1 failure');
  });
});

describe('buildThreadLine', () => {
  it('reports a later failure', () => {
    const message = line({ kind: 'event', event: failureEvent('f96b4d5e07a29b6d4c5f8e1d76a3b2c0', 10 * MINUTE), number: 3 });
    expect(message).toMatchSnapshot();
    expect(lineText(message)).toBe(
      `:x: *FAILED* again — failure 3 · instance \`f96b4d5e07a29b6d4c5f8e1d76a3b2c0\` · ended <!date^${(NOW - 10 * MINUTE) / 1000}^{date_short_pretty} {time}|2026-11-27 09:20 UTC> · failed after 13 minutes`,
    );
    expect(message.text).toBe('❌ FAILED again: credit-score-xgb-train — failure 3');
  });

  it('reports a stuck instance, with the usual duration only when known', () => {
    const message = line({ kind: 'event', event: stuckEvent('b52d0f1a63c85d2f0e1b4a7f32c9d8e6', 3 * HOUR, 40 * MINUTE), number: 5 });
    expect(message).toMatchSnapshot();
    expect(lineText(message)).toBe(
      ':hourglass_flowing_sand: instance `b52d0f1a63c85d2f0e1b4a7f32c9d8e6` still *RUNNING* after 3 hours (this job usually takes 40 minutes)',
    );
    expect(lineText(line({ kind: 'event', event: stuckEvent('b52d', 3 * HOUR), number: 5 }))).not.toContain('usually');
  });

  it('reports the recovery, and how much of it was snoozed', () => {
    const resolved = resolvedIncident();
    const message = line({ kind: 'recovery', incident: resolved, snoozedCount: 3 }, resolved);
    expect(message).toMatchSnapshot();
    expect(lineText(message)).toMatch(
      /^:heavy_check_mark: Recovered: instance `0a7c5e6f18b30c7e5d6a9f2e87b4c3d1` SUCCEEDED <!date\^\d+\^[^>]+>, after 4 failures; the incident lasted 4 hours 59 minutes \(3 of them while snoozed\)$/,
    );
    expect(lineText(line({ kind: 'recovery', incident: resolved, snoozedCount: 0 }, resolved))).not.toContain('snoozed');
  });

  it('reports an acknowledgement, mentioning the user in the block only', () => {
    const message = line({ kind: 'ack', userId: 'U0ALICE42', at: NOW });
    expect(message).toMatchSnapshot();
    expect(lineText(message)).toBe(':eyes: Acknowledged by <@U0ALICE42>');
    expect(message.text).toBe('👀 credit-score-xgb-train acknowledged');
    expect(lineText(line({ kind: 'ack', userId: '<!channel>', at: NOW }))).toBe(':eyes: Acknowledged by &lt;!channel&gt;');
  });

  it('reports a snooze, timed or until success', () => {
    const timed = line({ kind: 'snoozed', snooze: snooze({ until: NOW + 7 * HOUR }) });
    expect(timed).toMatchSnapshot();
    expect(lineText(timed)).toBe(
      `:no_bell: <@U0BOB7777> snoozed this job's alerts in this channel for 8 hours, until <!date^${(NOW + 7 * HOUR) / 1000}^{date_short_pretty} {time}|2026-11-27 16:30 UTC>`,
    );
    expect(timed.text).toBe('🔕 credit-score-xgb-train snoozed for 8 hours');
    const success = line({ kind: 'snoozed', snooze: successSnooze });
    expect(success).toMatchSnapshot();
    expect(lineText(success)).toBe(":no_bell: <@U0BOB7777> snoozed this job's alerts in this channel until an instance succeeds");
  });

  it('sums up a snooze when it ends, whatever ended it', () => {
    const last = failureEvent('e85a3c4d96f18a5c3b4e7d0c65f2a1b9', 30 * MINUTE, { status: 'TERMINATED' });
    const expired = line({ kind: 'snooze-end', snooze: timedSnooze, reason: 'expired', at: NOW, count: 4, last });
    expect(expired).toMatchSnapshot();
    expect(lineText(expired)).toBe(
      `:bell: Snooze ended: 4 failures while snoozed, the last TERMINATED <!date^${(NOW - 30 * MINUTE) / 1000}^{date_short_pretty} {time}|2026-11-27 09:00 UTC>`,
    );
    expect(expired.text).toBe('🔔 Snooze ended for credit-score-xgb-train: 4 failures while snoozed, the last TERMINATED 2026-11-27 09:00 UTC');

    const unsnoozed = line({ kind: 'snooze-end', snooze: timedSnooze, reason: 'unsnoozed', at: NOW, userId: 'U0CAROL11', count: 0 });
    expect(unsnoozed).toMatchSnapshot();
    expect(lineText(unsnoozed)).toBe(':bell: Snooze ended — unsnoozed by <@U0CAROL11>: nothing failed meanwhile');
    expect(unsnoozed.text).not.toContain('U0CAROL11');

    const recovered = line({ kind: 'snooze-end', snooze: successSnooze, reason: 'recovered', at: NOW, count: 1, last: stuckEvent('b52d', 3 * HOUR) });
    expect(recovered).toMatchSnapshot();
    expect(lineText(recovered)).toMatch(/^:bell: Snooze ended — the job recovered: 1 failure while snoozed, the last stuck in RUNNING <!date/);
  });
});

describe('incident views: hostile and huge data', () => {
  const hostile = '<!channel> <!here> <@U1> <!subteam^S1> &amp; *x*';
  const hostileIncident = (): Incident => {
    const event = failureEvent('<@U1>', 5 * MINUTE, { status: '<!here>', instance: failedInstance('<@U1>', 5 * MINUTE, { jobName: hostile, status: '<!here>', type: '<!channel>' }) });
    return incident({ job: { key: 'k', name: hostile, type: '<!channel>' }, latest: event, first: event, league: { id: CREDIT.id, alias: '<!everyone>' } });
  };
  const allMessages = (inc: Incident): SlackMessage[] => [
    parent({ incident: inc }),
    parent({ incident: inc, ack: { seq: inc.seq, userId: '<!channel>', at: NOW }, snooze: snooze({ by: '<@U1>' }) }),
    parent({ incident: { ...inc, state: 'resolved', resolvedAt: NOW, resolvedBy: { ...inc.latest.instance, status: 'SUCCEEDED' } } }),
    parent({ incident: { ...inc, state: 'superseded' } }),
    line({ kind: 'event', event: inc.latest, number: 2 }, inc),
    line({ kind: 'event', event: { ...inc.latest, kind: 'stuck', runningMs: 3 * HOUR }, number: 2 }, inc),
    line({ kind: 'recovery', incident: { ...inc, resolvedAt: NOW, resolvedBy: inc.latest.instance }, snoozedCount: 1 }, inc),
    line({ kind: 'ack', userId: '<@U1>', at: NOW }, inc),
    line({ kind: 'snoozed', snooze: snooze({ by: '<!here>' }) }, inc),
    line({ kind: 'snooze-end', snooze: timedSnooze, reason: 'unsnoozed', at: NOW, userId: '<!channel>', count: 2, last: inc.latest }, inc),
  ];

  it('never turns TICS data or crafted user ids into mentions', () => {
    for (const message of allMessages(hostileIncident())) {
      for (const text of parsedTexts(message)) {
        for (const token of ['<!channel>', '<!here>', '<!everyone>', '<@U1>', '<!subteam^S1>']) expect(text).not.toContain(token);
      }
    }
    // plain_text is never parsed: the header shows the name literally.
    expect(header(parent({ incident: hostileIncident() }))).toBe(`❔ <!here> · ${hostile}`);
  });

  it('stays within Block Kit limits with a 128-character Chinese name and huge ids and statuses', () => {
    const big = 'x'.repeat(5000);
    const event = failureEvent(big, 5 * MINUTE, { status: 'S'.repeat(3000) });
    const inc = incident({
      job: { key: 'k', name: '联'.repeat(128), type: 'T'.repeat(4000) },
      latest: event,
      first: event,
      league: { id: big, alias: '风'.repeat(2000) },
      notify: Array.from({ length: 200 }, (_, i) => `<@U${String(i).padStart(8, '0')}>`),
      events: 123_456_789,
    });
    for (const message of allMessages(inc)) {
      expect(message.text.length).toBeLessThanOrEqual(4000);
    }
    expect(header(parent({ incident: inc })).length).toBeLessThanOrEqual(150);
  });
});
