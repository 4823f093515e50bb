/** App Home inputs for the view tests and the README example: two watches, two open incidents. */
import type { HomeInput } from '../../../src/slack/views/home.js';
import { permalinkKey } from '../../../src/slack/views/home.js';
import type { WatchListRow } from '../../../src/watch/service.js';
import type { Subscription } from '../../../src/watch/types.js';
import { fixture, type Overrides } from '../../helpers/overrides.js';
import { HOUR, MINUTE, NOW } from './fixtures.js';
import { ACK, CREDIT, incident, snooze, SUBSCRIPTION } from './incident-fixtures.js';

export const FRAUD = { id: '5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b', alias: 'fraud' };

export function subscription(overrides: Overrides<Subscription> = {}): Subscription {
  const leagueId = overrides.leagueId ?? CREDIT.id;
  const channelId = overrides.channelId ?? 'C0ALERTS';
  return fixture<Subscription>({
    id: `${leagueId}:${channelId}`,
    leagueId,
    leagueAlias: 'credit-risk',
    channelId,
    triggers: ['FAILED', 'TERMINATED'],
    createdAt: NOW - 30 * 24 * HOUR,
    createdBy: 'U0ALICE42',
    source: 'slack',
    ...overrides,
  });
}

export function watchRow(overrides: Overrides<Subscription> = {}, extra: Partial<WatchListRow> = {}): WatchListRow {
  const sub = subscription(overrides);
  return {
    subscription: sub,
    league: sub.leagueAlias ? { id: sub.leagueId, alias: sub.leagueAlias } : { id: sub.leagueId },
    leagueHealth: { leagueId: sub.leagueId, lastPollAt: NOW - 20_000, lastSuccessAt: NOW - 20_000, consecutiveFailures: 0, lastRequests: 1 },
    channelHealth: { channelId: sub.channelId, lastPostAt: NOW - 10 * MINUTE },
    pendingAlerts: 0,
    lastAlertAt: NOW - 10 * MINUTE,
    ...extra,
  };
}

const FRAUD_SLOT = `${FRAUD.id}:C0FRAUD|Zr8Qm2Lx5Pv9Tn3Wk7Hy1B`;

/** The README's Home: credit-risk failing (acknowledged), fraud's scoring job snoozed, fraud polling failing. */
export function homeExampleInput(): HomeInput {
  const credit = incident();
  const fraud = incident({
    slot: FRAUD_SLOT,
    seq: 1,
    subscriptionId: `${FRAUD.id}:C0FRAUD`,
    channelId: 'C0FRAUD',
    league: FRAUD,
    job: { key: 'Zr8Qm2Lx5Pv9Tn3Wk7Hy1B', name: 'fraud-graph-score', type: 'VFL_PREDICT' },
    parentTs: '1764230000.000200',
    events: 2,
  });
  return {
    rows: [
      watchRow(),
      watchRow(
        { leagueId: FRAUD.id, leagueAlias: 'fraud', channelId: 'C0FRAUD', notify: ['<!subteam^S0ONCALL1>'] },
        {
          leagueHealth: {
            leagueId: FRAUD.id,
            lastPollAt: NOW - 40_000,
            lastSuccessAt: NOW - 2 * HOUR,
            consecutiveFailures: 3,
            lastError: { kind: 'server_error', message: 'TICS answered 503 Service Unavailable', requestId: 'req-8c1f2a', at: NOW - 40_000 },
            nextPollAt: NOW + 80_000,
          },
        },
      ),
    ],
    snoozes: [{ subscriptionId: `${FRAUD.id}:C0FRAUD`, slot: FRAUD_SLOT, snooze: snooze({ jobName: 'fraud-graph-score' }) }],
    open: [{ incident: credit, ack: ACK }, { incident: fraud, snooze: snooze({ jobName: 'fraud-graph-score' }) }],
    alerts: [
      { league: CREDIT, count: 4, atLeast: false },
      { league: FRAUD, count: 2, atLeast: true },
    ],
    permalinks: new Map([
      [permalinkKey('C0ALERTS', credit.parentTs!), 'https://example.slack.com/archives/C0ALERTS/p1764235800000100'],
      [permalinkKey('C0FRAUD', fraud.parentTs!), 'https://example.slack.com/archives/C0FRAUD/p1764230000000200'],
    ]),
    now: NOW,
    intervalSeconds: 60,
    restricted: false,
  };
}

export { SUBSCRIPTION };
