/** Incidents for the view tests and the README examples: one failing job in credit-risk. */
import type { Acknowledgement, Incident, IncidentEvent, Snooze } from '../../../src/watch/incidents/types.js';
import type { JobInstance } from '../../../src/tics/schema.js';
import { fixture, type Overrides } from '../../helpers/overrides.js';
import { HOUR, instance, MINUTE, NOW } from './fixtures.js';

export const CREDIT = { id: '9ab0c1d2e3f4a5b6c7d8e9f0a1b2c3d4', alias: 'credit-risk' };
export const SUBSCRIPTION = `${CREDIT.id}:C0ALERTS`;
export const SLOT = `${SUBSCRIPTION}|q2Vb8kN0xJ4mT7rW1yZ3aA`;

export function failedInstance(id: string, endedAgo: number, overrides: Overrides<JobInstance> = {}): JobInstance {
  return instance({
    jobName: 'credit-score-xgb-train',
    type: 'VFL_TRAIN',
    status: 'FAILED',
    startTime: NOW - endedAgo - 13 * MINUTE,
    endTime: NOW - endedAgo,
    ...overrides,
    id,
  });
}

export function failureEvent(id: string, endedAgo: number, overrides: Overrides<IncidentEvent> = {}): IncidentEvent {
  const inst = failedInstance(id, endedAgo);
  return fixture<IncidentEvent>({ instance: inst, status: inst.status, kind: 'failure', observedAt: NOW - endedAgo + MINUTE, ...overrides });
}

export function stuckEvent(id: string, runningMs: number, usualMs?: number): IncidentEvent {
  const inst = instance({ id, jobName: 'credit-score-xgb-train', type: 'VFL_TRAIN', status: 'RUNNING', startTime: NOW - runningMs });
  return fixture<IncidentEvent>({ instance: inst, status: 'RUNNING', kind: 'stuck', observedAt: NOW, runningMs, usualMs });
}

export function incident(overrides: Overrides<Incident> = {}): Incident {
  const first = failureEvent('a41c9e0f52b74c1e9d0a3f6e21b8c7d5', 5 * HOUR);
  const latest = failureEvent('f96b4d5e07a29b6d4c5f8e1d76a3b2c0', 10 * MINUTE);
  return fixture<Incident>({
    v: 1,
    slot: SLOT,
    seq: 3,
    subscriptionId: SUBSCRIPTION,
    channelId: 'C0ALERTS',
    league: CREDIT,
    job: { key: 'q2Vb8kN0xJ4mT7rW1yZ3aA', name: 'credit-score-xgb-train', type: 'VFL_TRAIN' },
    state: 'open',
    openedAt: first.observedAt,
    parentTs: '1764235800.000100',
    events: 4,
    first,
    latest,
    notify: [],
    applied: {},
    revision: 5,
    ...overrides,
  });
}

export function resolvedIncident(overrides: Overrides<Incident> = {}): Incident {
  const resolvedBy = instance({
    id: '0a7c5e6f18b30c7e5d6a9f2e87b4c3d1',
    jobName: 'credit-score-xgb-train',
    type: 'VFL_TRAIN',
    status: 'SUCCEEDED',
    startTime: NOW - 40 * MINUTE,
    endTime: NOW - 2 * MINUTE,
  });
  return incident({ state: 'resolved', resolvedBy, resolvedAt: NOW, ...overrides });
}

export const ACK: Acknowledgement = { seq: 3, userId: 'U0ALICE42', at: NOW - 48 * MINUTE };

export function snooze(overrides: Overrides<Snooze> = {}): Snooze {
  return fixture<Snooze>({
    id: 'sn-7f3a',
    jobName: 'credit-score-xgb-train',
    by: 'U0BOB7777',
    at: NOW - HOUR,
    until: NOW + 7 * HOUR,
    untilSuccess: false,
    ...overrides,
  });
}
