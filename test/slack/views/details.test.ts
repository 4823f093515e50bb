import { describe, expect, it } from 'vitest';
import { buildDetailsMessage, type DetailsInput } from '../../../src/slack/views/details.js';
import type { SlackMessage } from '../../../src/slack/views/history.js';
import { assertWithinSlackLimits, LIMITS } from '../../helpers/block-kit-limits.js';
import { instance, LEAGUE, LEAGUE_ID, MINUTE, NOW } from './fixtures.js';

function build(input: Partial<DetailsInput> = {}): SlackMessage {
  const message = buildDetailsMessage({
    league: LEAGUE,
    instance: instance({
      id: 'a41c9e0f52b74c1e9d0a3f6e21b8c7d5',
      jobName: '联邦训练-信用评分',
      type: 'VFL_PREDICT',
      status: 'FAILED',
      startTime: NOW - 78 * MINUTE,
      endTime: NOW - 3 * MINUTE,
      roundId: 14,
      isSinglePredict: true,
      jobPartner: 'bank-b',
      ext: '{"learning_rate":0.01,"features":["age","income"],"seed":12345678901234567890}',
      resultExt: '{"error":"partner bank-b dropped at round 14"}',
    }),
    now: NOW,
    ...input,
  });
  assertWithinSlackLimits(message);
  return message;
}

type Field = { text: string };
const fields = (message: SlackMessage) => (message.blocks.find((b) => b.type === 'section' && 'fields' in b) as unknown as { fields: Field[] }).fields;
const field = (message: SlackMessage, label: string) => fields(message).find((f) => f.text.startsWith(`*${label}*\n`))?.text.slice(label.length + 3);
const sectionTexts = (message: SlackMessage) =>
  message.blocks.filter((b) => b.type === 'section' && 'text' in b).map((b) => (b as unknown as { text: Field }).text.text);

describe('buildDetailsMessage', () => {
  it('shows every fact TICS gives', () => {
    const message = build();
    expect(message).toMatchSnapshot();
    expect(message.text).toBe('Failed: 联邦训练-信用评分 (Vertical FL prediction) in league fl-demo');
    expect(field(message, 'Status')).toBe(':x: Failed `FAILED`');
    expect(field(message, 'Type')).toBe('Vertical FL prediction `VFL_PREDICT`\nsingle-party prediction');
    expect(field(message, 'Job')).toBe('联邦训练-信用评分');
    expect(field(message, 'League')).toBe(`fl-demo \`${LEAGUE_ID}\``);
    expect(field(message, 'Instance')).toBe('`a41c9e0f52b74c1e9d0a3f6e21b8c7d5`');
    expect(field(message, 'Rounds')).toBe('14');
    expect(field(message, 'Started')).toMatch(/^<!date\^\d+\^\{date_short_pretty\} at \{time_secs\}\|2026-11-27 08:12 UTC>$/);
    expect(field(message, 'Ended')).toContain('|2026-11-27 09:27 UTC>');
    expect(field(message, 'Duration')).toBe('Failed after 1 hour 15 minutes');
    expect(field(message, 'Partner')).toBe('bank-b');
    expect(fields(message)).toHaveLength(10);
  });

  it('keeps the raw status word visible next to the friendly one', () => {
    expect(field(build({ instance: instance({ id: 'i1', status: 'SUBMITING' }) }), 'Status')).toBe(
      ':hourglass_flowing_sand: Submitting `SUBMITING`',
    );
  });

  it('pretty-prints JSON ext and result_ext in code blocks, numbers intact', () => {
    const [ext, result] = sectionTexts(build());
    expect(ext).toBe(
      '*Parameters* (`ext`)\n```{\n  "learning_rate": 0.01,\n  "features": [\n    "age",\n    "income"\n  ],\n  "seed": 12345678901234567890\n}```',
    );
    expect(result).toBe('*Result* (`result_ext`)\n```{\n  "error": "partner bank-b dropped at round 14"\n}```');
  });

  it('shows non-JSON values as escaped text, not code', () => {
    const [result] = sectionTexts(build({ instance: instance({ id: 'i1', resultExt: 'accuracy < 0.5 & loss > 2' }) }));
    expect(result).toBe('*Result* (`result_ext`)\naccuracy &lt; 0.5 &amp; loss &gt; 2');
  });

  it('escapes JSON inside code blocks and cannot be broken out of the fence', () => {
    const [ext] = sectionTexts(build({ instance: instance({ id: 'i1', ext: '{"q":"<!here> ``` &"}' }) }));
    expect(ext).toContain('&lt;!here&gt;');
    expect(ext).toContain('&amp;');
    expect(ext?.match(/```/g)).toHaveLength(2);
  });

  it('truncates a huge ext with an ellipsis inside the section limit', () => {
    const huge = JSON.stringify({ rows: Array.from({ length: 2000 }, (_, i) => ({ i, v: '<&>' })) });
    const message = build({ instance: instance({ id: 'i1', ext: huge, resultExt: 'r'.repeat(10_000) }) });
    const [ext, result] = sectionTexts(message);
    expect(ext?.length).toBeLessThanOrEqual(LIMITS.sectionText);
    expect(ext).toMatch(/…```$/);
    expect(result?.length).toBeLessThanOrEqual(LIMITS.sectionText);
    expect(result).toMatch(/…$/);
  });

  it('says when there is no ext or result_ext', () => {
    const message = build({ instance: instance({ id: 'i1' }) });
    expect(sectionTexts(message)).toHaveLength(0);
    expect(JSON.stringify(message.blocks)).toContain('no extra parameters');
  });

  it('describes a running instance that has not ended', () => {
    const message = build({ instance: instance({ id: 'i1', status: 'RUNNING', startTime: NOW - 5 * MINUTE }) });
    expect(field(message, 'Ended')).toBe('still in progress');
    expect(field(message, 'Duration')).toBe('Running for 5 minutes');
  });

  it('handles an instance with almost nothing filled in', () => {
    const message = build({ league: { id: LEAGUE_ID }, instance: { id: '', jobName: '', type: 'UNKNOWN', status: 'UNKNOWN' } });
    expect(message).toMatchSnapshot();
    expect(field(message, 'Job')).toBe('_unnamed job_');
    expect(field(message, 'Started')).toBe('not started');
    expect(field(message, 'Status')).toBe(':grey_question: UNKNOWN `UNKNOWN`');
  });

  it('escapes and bounds every free-text field', () => {
    const message = build({
      instance: instance({ id: 'i1', jobName: '<!channel>'.repeat(100), jobPartner: '&'.repeat(5000), status: '<b>', type: '<i>' }),
    });
    for (const f of fields(message)) expect(f.text.replace(/<!date\^[^>]+>/g, '')).not.toMatch(/[<>]/);
    expect(field(message, 'Partner')?.length).toBeLessThanOrEqual(300);
  });

  it('notes simulated data', () => {
    expect(JSON.stringify(build({ simulated: true }).blocks)).toMatch(/Simulated data/);
    expect(JSON.stringify(build().blocks)).not.toMatch(/Simulated/);
  });
});
