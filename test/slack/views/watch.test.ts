import { describe, expect, it } from 'vitest';
import type { SlackMessage } from '../../../src/slack/views/format.js';
import {
  buildUnwatchConfirmation,
  buildWatchConfirmation,
  buildWatchesMessage,
  MAX_WATCH_ROWS,
  type WatchConfirmationInput,
  type WatchesInput,
  type WatchRow,
} from '../../../src/slack/views/watch.js';
import type { Subscription } from '../../../src/watch/types.js';
import type { SnoozeRow } from '../../../src/watch/service.js';
import { assertWithinSlackLimits, LIMITS } from '../../helpers/block-kit-limits.js';
import { HOUR, MINUTE, NOW } from './fixtures.js';
import { fixture, type Overrides } from '../../helpers/overrides.js';

const CREDIT = { id: '9ab0c1d2e3f4a5b6c7d8e9f0a1b2c3d4', alias: 'credit-risk' };
const CHANNEL = 'C0ALERTS';
const INTERVAL = 60;
const date = (ms: number) => `<!date^${ms / 1000}^`;

function subscription(overrides: Overrides<Subscription> = {}): Subscription {
  const leagueId = overrides.leagueId ?? CREDIT.id;
  const channelId = overrides.channelId ?? CHANNEL;
  return fixture<Subscription>({
    id: `${leagueId}:${channelId}`,
    leagueId,
    leagueAlias: 'credit-risk',
    channelId,
    triggers: ['FAILED', 'TERMINATED'],
    createdAt: NOW,
    createdBy: 'U0ALICE',
    source: 'slack',
    ...overrides,
  });
}

function checked(message: SlackMessage): SlackMessage {
  assertWithinSlackLimits(message);
  return message;
}

const blockTexts = (m: SlackMessage) =>
  m.blocks.map((b) => {
    const block = b as unknown as { text?: { text: string }; elements?: Array<{ text: string }> };
    return block.text?.text ?? block.elements?.map((e) => e.text).join(' ') ?? '';
  });
const all = (m: SlackMessage) => blockTexts(m).join('\n');

describe('buildWatchConfirmation', () => {
  const confirm = (input: Overrides<WatchConfirmationInput> = {}) =>
    checked(
      buildWatchConfirmation(fixture<WatchConfirmationInput>({
        subscription: subscription(),
        league: CREDIT,
        baseline: { total: 45, unfinished: 3, takenAt: NOW },
        updated: false,
        ...input,
      })),
    );

  it('confirms what was set up, from when, and what the baseline means', () => {
    const message = confirm();
    expect(message).toMatchSnapshot();
    expect(message.text).toBe('Watching credit-risk: alerts on FAILED, TERMINATED from 2026-11-27 09:30 UTC. 45 instances known now (3 still running).');
    const [headline, baseline] = blockTexts(message);
    expect(headline).toBe(
      `:eyes: Watching *credit-risk* \`${CREDIT.id}\` in <#${CHANNEL}> — alerts on \`FAILED\` and \`TERMINATED\` from ${date(NOW)}{date_short_pretty} at {time}|2026-11-27 09:30 UTC>.`,
    );
    expect(baseline).toContain('*45 instances* known');
    expect(baseline).toContain('*3 still running*): those already finished are not alerted; the running ones alert if they reach `FAILED` or `TERMINATED`.');
    expect(all(message)).toContain(`Stop with \`/tics unwatch credit-risk\` in <#${CHANNEL}>`);
    expect(all(message)).toContain('/invite @tics-bot');
  });

  it('says when an existing watch had its triggers changed', () => {
    const message = confirm({ updated: true, subscription: subscription({ triggers: ['FAILED'], createdAt: NOW - 2 * HOUR }) });
    expect(blockTexts(message)[0]).toMatch(/^:arrows_counterclockwise: Updated: .* now alerts on `FAILED` \(watching since <!date\^\d+\^.*\|2026-11-27 07:30 UTC>\)\.$/);
    expect(message.text).toMatch(/^Updated watch credit-risk: alerts on FAILED from 2026-11-27 07:30 UTC\./);
  });

  it('covers an empty league, a fully finished one, and no baseline yet', () => {
    expect(blockTexts(confirm({ baseline: { total: 0, unfinished: 0, takenAt: NOW } }))[1]).toMatch(/^:seedling: The league has no instances yet/);
    expect(blockTexts(confirm({ baseline: { total: 1, unfinished: 0, takenAt: NOW } }))[1]).toMatch(
      /^\*1 instance\* known .*, all finished: those are not alerted, only new instances that reach `FAILED` or `TERMINATED`\.$/,
    );
    const pending = confirm({ baseline: undefined, baselineError: 'TICS <unavailable> & retried 3 times' });
    expect(blockTexts(pending)[1]).toContain('TICS could not be read just now (TICS &lt;unavailable&gt; &amp; retried 3 times)');
    expect(pending.text).toBe('Watching credit-risk: alerts on FAILED, TERMINATED from 2026-11-27 09:30 UTC.');
  });

  it('warns plainly about private channels when it looks like one', () => {
    expect(all(confirm({ channelIsPrivateHint: true }))).toContain(':lock: This is a private channel: invite the bot with `/invite @tics-bot`');
    expect(all(confirm())).toContain('Private channels need the bot invited first');
  });

  it('escapes data and never turns a bad channel id into a mention', () => {
    const message = confirm({
      league: { id: CREDIT.id, alias: 'a<b>&c' },
      subscription: subscription({ channelId: '<!channel>', triggers: ['<b>', 'X`Y'] }),
    });
    const text = all(message).replace(/<!date\^[^>]+>/g, '');
    expect(text).not.toMatch(/<(?!#C)/);
    expect(text).toContain('*a&lt;b&gt;&amp;c*');
    expect(text).toContain('channel `&lt;!channel&gt;`');
    expect(text).toContain('`&lt;b&gt;` and `XˋY`');
  });

  it('notes simulated data', () => {
    expect(all(confirm({ simulated: true }))).toContain('Simulated data');
    expect(all(confirm())).not.toContain('Simulated');
  });
});

describe('buildUnwatchConfirmation', () => {
  const unwatch = (input: Partial<Parameters<typeof buildUnwatchConfirmation>[0]> = {}) =>
    checked(buildUnwatchConfirmation({ league: CREDIT, channelId: CHANNEL, removed: true, ...input }));

  it('confirms a removal and counts the alerts dropped with it', () => {
    const message = unwatch({ pendingDropped: 2 });
    expect(message).toMatchSnapshot();
    expect(blockTexts(message)[0]).toBe(
      `:no_bell: Stopped watching *credit-risk* \`${CREDIT.id}\` in <#${CHANNEL}>. 2 alerts still waiting to be posted were dropped.`,
    );
    expect(message.text).toBe('Stopped watching credit-risk. 2 alerts still waiting to be posted were dropped.');
    expect(unwatch({ pendingDropped: 1 }).text).toContain('1 alert still waiting to be posted was dropped');
    expect(unwatch().text).toBe('Stopped watching credit-risk.');
  });

  it('says when there was nothing to remove, and how to list watches', () => {
    const message = unwatch({ removed: false });
    expect(blockTexts(message)[0]).toContain('Was not watching *credit-risk*');
    expect(blockTexts(message)[1]).toContain('`/tics watches`');
    expect(blockTexts(message)[1]).toContain('`/tics watches all`');
  });

  it('explains that configured watches are removed in configuration', () => {
    const message = unwatch({ removed: false, configManaged: true });
    expect(all(message)).toContain('`TICS_WATCH`');
    expect(message.text).toContain('cannot be removed from Slack');
  });
});

describe('buildWatchesMessage', () => {
  const list = (rows: WatchRow[], input: Partial<WatchesInput> = {}) =>
    checked(buildWatchesMessage({ rows, scope: 'channel', channelId: CHANNEL, now: NOW, intervalSeconds: INTERVAL, ...input }));
  const row = (overrides: Overrides<WatchRow> = {}): WatchRow => fixture<WatchRow>({
    subscription: subscription(),
    league: CREDIT,
    leagueHealth: { leagueId: CREDIT.id, lastPollAt: NOW - 30_000, lastSuccessAt: NOW - 30_000, consecutiveFailures: 0 },
    channelHealth: { channelId: CHANNEL, lastPostAt: NOW - HOUR },
    pendingAlerts: 0,
    lastAlertAt: NOW - HOUR,
    ...overrides,
  });
  /** The section of each listed watch. */
  const rows = (m: SlackMessage) =>
    m.blocks
      .slice(m.blocks.findIndex((b) => b.type === 'divider'))
      .filter((b) => b.type === 'section')
      .map((b) => (b as unknown as { text: { text: string } }).text.text);

  it('says how to add a watch when there is none', () => {
    const here = list([]);
    expect(here.text).toBe('No watches in this channel yet.');
    expect(all(here)).toContain(`<#${CHANNEL}> does not watch any league yet. Start with \`/tics watch &lt;league&gt;\``);
    expect(all(here)).toContain('`/tics watches all`');
    const everywhere = list([], { scope: 'all' });
    expect(everywhere.text).toBe('No watches yet.');
    expect(all(everywhere)).toContain('No channel watches a league yet.');
  });

  it('shows a healthy watch compactly', () => {
    const message = list([row()]);
    expect(message).toMatchSnapshot();
    expect(message.text).toBe('1 watch in this channel.');
    expect(rows(message)).toEqual([
      [
        `*credit-risk* \`${CREDIT.id}\` → <#${CHANNEL}>  ·  on \`FAILED\` and \`TERMINATED\``,
        `added by <@U0ALICE> ${date(NOW)}{date_short_pretty} at {time}|2026-11-27 09:30 UTC>`,
        `:white_check_mark: last poll ${date(NOW - 30_000)}{date_short_pretty} at {time}|2026-11-27 09:29 UTC>`,
        `last alert ${date(NOW - HOUR)}{date_short_pretty} at {time}|2026-11-27 08:30 UTC>`,
      ].join('\n'),
    ]);
    expect(all(message)).toContain('all healthy');
    expect(all(message)).toContain('polling every 60 seconds');
  });

  it('shows every health state, problems first', () => {
    const league = (n: number) => ({ id: `league${n}`, alias: `team-${n}` });
    const sub = (n: number, extra: Overrides<Subscription> = {}) => subscription({ leagueId: `league${n}`, leagueAlias: `team-${n}`, ...extra });
    const message = list(
      [
        row({ league: league(1), subscription: sub(1), leagueHealth: undefined, channelHealth: undefined, lastAlertAt: undefined }),
        row({
          league: league(2),
          subscription: sub(2, { source: 'config', createdBy: undefined }),
          leagueHealth: {
            leagueId: 'league2',
            lastPollAt: NOW - MINUTE,
            lastSuccessAt: NOW - 2 * HOUR,
            lastError: { kind: 'auth', message: 'IAM said <no> & denied', requestId: 'req-42', at: NOW - MINUTE },
            consecutiveFailures: 7,
            nextPollAt: NOW + 10 * MINUTE,
          },
          pendingAlerts: 3,
        }),
        row({
          league: league(3),
          subscription: sub(3),
          leagueHealth: {
            leagueId: 'league3',
            lastPollAt: NOW - MINUTE,
            lastError: { kind: 'upstream', message: 'TICS 503', at: NOW - MINUTE },
            consecutiveFailures: 1,
          },
        }),
        row({ league: league(4), subscription: sub(4), leagueHealth: { leagueId: 'league4', lastPollAt: NOW - HOUR, lastSuccessAt: NOW - HOUR, consecutiveFailures: 0 } }),
        row({
          league: league(5),
          subscription: sub(5),
          channelHealth: { channelId: CHANNEL, lastPostAt: NOW - 2 * HOUR, lastError: { code: 'not_in_channel', at: NOW - HOUR } },
          pendingAlerts: 1,
        }),
        row({
          league: league(6),
          subscription: sub(6),
          // Failed once, posted fine since: recovered, no warning.
          channelHealth: { channelId: CHANNEL, lastPostAt: NOW - MINUTE, lastError: { code: 'not_in_channel', at: NOW - HOUR } },
          leagueHealth: { leagueId: 'league6', lastPollAt: NOW - MINUTE, lastSuccessAt: NOW - MINUTE, consecutiveFailures: 0, lastCutShort: true },
        }),
        row({
          league: league(7),
          subscription: sub(7),
          // An old poll error since followed by success: healthy.
          leagueHealth: { leagueId: 'league7', lastPollAt: NOW - MINUTE, lastSuccessAt: NOW - MINUTE, consecutiveFailures: 0, lastError: { kind: 'auth', message: 'x', at: NOW - HOUR } },
        }),
      ],
      { scope: 'all' },
    );
    expect(message).toMatchSnapshot();
    expect(message.text).toBe('7 watches in every channel, 4 with problems.');
    const texts = rows(message);
    expect(texts.map((t) => t.split(' ')[0])).toEqual(['*team-2*', '*team-3*', '*team-4*', '*team-5*', '*team-1*', '*team-6*', '*team-7*']);
    const [failing, neverOk, overdue, cantPost, notPolled, cutShort, recovered] = texts;

    expect(failing).toContain('from configuration (`TICS_WATCH`)');
    expect(failing).toContain(
      `:warning: polling failing: \`auth\` IAM said &lt;no&gt; &amp; denied (7 failures in a row, last success ${date(NOW - 2 * HOUR)}`,
    );
    expect(failing).toContain(`retrying ${date(NOW + 10 * MINUTE)}`);
    expect(failing).toContain('request id `req-42`');
    expect(failing).toContain(':outbox_tray: 3 alerts waiting to be posted');

    expect(neverOk).toContain(':warning: polling failing: `upstream` TICS 503 (1 failure in a row, never succeeded');
    expect(neverOk).not.toContain('retrying');

    expect(overdue).toContain(`:warning: last poll ${date(NOW - HOUR)}`);
    expect(overdue).toContain('overdue');

    expect(cantPost).toContain(`:warning: can’t post here: \`not_in_channel\` — invite @tics-bot (\`/invite @tics-bot\`) (last tried ${date(NOW - HOUR)}`);
    expect(cantPost).toContain('1 alert waiting to be posted');

    expect(notPolled).toContain(':hourglass: not polled yet');
    expect(notPolled).toContain('no alert posted yet');
    expect(rows(list([row({ subscription: subscription({ createdAt: NOW - HOUR }), leagueHealth: undefined })]))[0]).toContain(
      ':warning: not polled yet — overdue',
    );

    expect(cutShort).not.toContain(':warning:');
    expect(cutShort).toContain('stopped at its page limit');
    expect(recovered).not.toContain(':warning:');
    expect(recovered).toContain(':white_check_mark: last poll');
  });

  it('is not alarmed by a league waiting out its backoff', () => {
    const [text] = rows(
      list([row({ leagueHealth: { leagueId: CREDIT.id, lastPollAt: NOW - HOUR, lastSuccessAt: NOW - HOUR, consecutiveFailures: 0, nextPollAt: NOW + MINUTE } })]),
    );
    expect(text).toContain(`:white_check_mark: last poll ${date(NOW - HOUR)}`);
    expect(text).toContain(`next ${date(NOW + MINUTE)}`);
  });

  it('caps a long list and says how many are left out', () => {
    const many = Array.from({ length: 60 }, (_, i) =>
      row({ league: { id: `league${i}`, alias: `team-${String(i).padStart(2, '0')}` }, subscription: subscription({ leagueId: `league${i}`, channelId: `C${i}` }) }),
    );
    const message = list(many, { scope: 'all' });
    expect(rows(message)).toHaveLength(MAX_WATCH_ROWS);
    expect(all(message)).toContain(`…and ${60 - MAX_WATCH_ROWS} more watches not shown here. Run \`/tics watches\` in a channel`);
    expect(message.text).toBe('60 watches in every channel.');
  });

  it('shows owners, stuck:, recovery: off and the watch’s own snoozes', () => {
    const sub = subscription({ notify: ['<@U0ALICE>', '<!subteam^S0ONCALL>'], stuckMs: 90 * MINUTE, recovery: false });
    const snoozes: SnoozeRow[] = [
      { subscriptionId: sub.id, slot: `${sub.id}|a`, snooze: { id: 'a', jobName: 'nightly <scoring>', by: 'U0BOB', at: NOW, until: NOW + HOUR, untilSuccess: false } },
      { subscriptionId: sub.id, slot: `${sub.id}|b`, snooze: { id: 'b', jobName: '', by: 'U0CAROL', at: NOW, untilSuccess: true } },
      { subscriptionId: 'other:C0OTHER', slot: 'other:C0OTHER|c', snooze: { id: 'c', jobName: 'not this row', by: 'U0BOB', at: NOW, untilSuccess: true } },
    ];
    const [text] = rows(list([row({ subscription: sub })], { snoozes }));
    expect(text).toContain(':bust_in_silhouette: owners <@U0ALICE>, <!subteam^S0ONCALL>  ·  :hourglass: stuck after 1h30m  ·  :no_entry_sign: recovery: off');
    expect(text).toContain(`:zzz: *nightly &lt;scoring&gt;* snoozed until ${date(NOW + HOUR)}`);
    expect(text).toContain('by <@U0BOB>');
    expect(text).toContain(':zzz: *_unnamed job_* snoozed until it succeeds, by <@U0CAROL>');
    expect(text).not.toContain('not this row');
    // A watch without options or snoozes gets no extra line.
    expect(rows(list([row()]))[0]).not.toMatch(/owners|stuck after|recovery|:zzz:/);
  });

  it('never renders an owner that is not a user or group mention', () => {
    const [text] = rows(list([row({ subscription: subscription({ notify: ['<!channel>', '<!here>', '@everyone', '<@U0ALICE>'] }) })]));
    expect(text).toContain('owners <@U0ALICE>');
    expect(text).not.toMatch(/<!channel>|<!here>|@everyone/);
  });

  it('stays within limits with the most owners and snoozes a row can carry', () => {
    const junk = (n: number) => '&<>'.repeat(n);
    const many = Array.from({ length: 40 }, (_, i) => {
      const sub = subscription({
        leagueId: `L${i}`,
        triggers: Array.from({ length: 30 }, () => junk(20)),
        notify: Array.from({ length: 10 }, (_, k) => `<!subteam^S${'9'.repeat(18)}${k}>`),
        stuckMs: 7 * 24 * HOUR,
        recovery: false,
      });
      return {
        row: row({
          league: { id: `L${i}`, alias: 'a'.repeat(64) },
          subscription: sub,
          leagueHealth: { leagueId: `L${i}`, lastPollAt: NOW, lastError: { kind: junk(50), message: junk(1000), requestId: junk(50), at: NOW }, consecutiveFailures: 99 },
          channelHealth: { channelId: CHANNEL, lastError: { code: junk(100), at: NOW } },
          pendingAlerts: 1234,
        }),
        snoozes: Array.from({ length: 30 }, (_, k): SnoozeRow => ({
          subscriptionId: sub.id,
          slot: `${sub.id}|${k}`,
          snooze: { id: `${k}`, jobName: junk(200), by: `W${'9'.repeat(20)}`, at: NOW, until: NOW + HOUR, untilSuccess: false },
        })),
      };
    });
    const message = list(
      many.map((m) => m.row),
      { snoozes: many.flatMap((m) => m.snoozes), scope: 'all' },
    );
    for (const text of rows(message)) {
      expect(text.length).toBeLessThan(LIMITS.sectionText);
      expect(text).toContain(':zzz: …and 25 more snoozed');
    }
  });

  it('stays within limits when every row is as long as data can make it', () => {
    const junk = (n: number) => '&<>'.repeat(n);
    const many = Array.from({ length: 40 }, (_, i) =>
      row({
        league: { id: `L${i}`, alias: 'a'.repeat(64) },
        subscription: subscription({ leagueId: `L${i}`, triggers: Array.from({ length: 30 }, () => junk(20)), createdBy: junk(50) }),
        leagueHealth: {
          leagueId: `L${i}`,
          lastPollAt: NOW,
          lastError: { kind: junk(50), message: junk(1000), requestId: junk(50), at: NOW },
          consecutiveFailures: 99,
          nextPollAt: NOW + MINUTE,
          lastCutShort: true,
        },
        channelHealth: { channelId: CHANNEL, lastError: { code: junk(100), at: NOW } },
        pendingAlerts: 1234,
      }),
    );
    const message = list(many, { simulated: true });
    const shown = rows(message).length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(40);
    expect(all(message)).toContain(`…and ${40 - shown} more watches`);
    for (const text of rows(message)) {
      expect(text.length).toBeLessThan(LIMITS.sectionText);
      expect(text.replace(/<!date\^[^>]+>|<#C[A-Z0-9]+>/g, '')).not.toMatch(/[<>]/);
    }
  });
});
