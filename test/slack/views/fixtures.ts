/** Shared test data for the view tests: a fixed clock and the instances from the history mockup. */
import type { JobInstance } from '../../../src/tics/schema.js';
import type { HistoryCursor } from '../../../src/slack/cursor.js';
import type { HistoryViewModel } from '../../../src/slack/views/history.js';
import { fixture, type Overrides } from '../../helpers/overrides.js';

/** 2026-11-27 09:30:00 UTC. Views never read the clock; tests pass this one. */
export const NOW = Date.UTC(2026, 10, 27, 9, 30, 0);
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const LEAGUE_ID = '3f1c8a9b0c1d2e3f4a5b6c7d8e9f0a1b';
export const LEAGUE = { id: LEAGUE_ID, alias: 'fl-demo' };

export function instance(overrides: Overrides<JobInstance> & Pick<JobInstance, 'id'>): JobInstance {
  return fixture<JobInstance>({ jobName: 'job', type: 'HFL', status: 'SUCCEEDED', ...overrides });
}

export function mockupInstances(): JobInstance[] {
  return [
    instance({
      id: 'a41c9e0f52b74c1e9d0a3f6e21b8c7d5',
      jobName: '联邦训练-信用评分',
      type: 'HFL',
      status: 'RUNNING',
      startTime: NOW - 78 * MINUTE,
      roundId: 14,
      jobPartner: 'bank-b',
    }),
    instance({
      id: 'b52d0f1a63c85d2f0e1b4a7f32c9d8e6',
      jobName: 'fraud-detection-v3',
      type: 'VFL_TRAIN',
      status: 'SUCCEEDED',
      startTime: NOW - 11 * HOUR - 50 * MINUTE,
      endTime: NOW - 9 * HOUR - 45 * MINUTE,
      roundId: 50,
      jobPartner: 'bank-c',
    }),
    instance({
      id: 'c63e1a2b74d96e3a1f2c5b8a43d0e9f7',
      jobName: '联邦统计-用户画像',
      type: 'SQL',
      status: 'FAILED',
      startTime: NOW - 19 * HOUR - 28 * MINUTE,
      endTime: NOW - 19 * HOUR - 24 * MINUTE - 20_000,
      roundId: 2,
      jobPartner: 'bank-b',
    }),
    instance({
      id: 'd74f2b3c85e07f4b2a3d6c9b54e1f0a8',
      jobName: '纵向联邦-风控模型',
      type: 'VFL_PREDICT',
      status: 'PENDING',
      isSinglePredict: false,
    }),
    instance({
      id: 'e85a3c4d96f18a5c3b4e7d0c65f2a1b9',
      jobName: 'churn-predict-nightly',
      type: 'HFL',
      status: 'TERMINATED',
      startTime: NOW - 2 * DAY - 7 * HOUR - 30 * MINUTE,
      endTime: NOW - 2 * DAY - 6 * HOUR - 42 * MINUTE - 48_000,
      roundId: 9,
      jobPartner: 'bank-d',
    }),
  ];
}

export function cursor(overrides: Partial<HistoryCursor> = {}): HistoryCursor {
  return { v: 1, league: 'fl-demo', limit: 5, offset: 0, ...overrides };
}

/** The mockup's page: page 1 of 8 of a 37-instance league, with a Next button. */
export function historyModel(overrides: Overrides<HistoryViewModel> = {}): HistoryViewModel {
  return fixture<HistoryViewModel>({
    league: LEAGUE,
    instances: mockupInstances(),
    total: 37,
    cursor: cursor(),
    next: cursor({ offset: 5 }),
    pageNumber: 1,
    pageCount: 8,
    fetchedAt: NOW,
    now: NOW,
    ...overrides,
  });
}
