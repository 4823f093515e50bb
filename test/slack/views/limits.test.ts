/**
 * The views size their caps from src/slack/limits.ts; the tests check every message against their
 * own table (test/helpers/block-kit-limits.ts), kept separately so a wrong number in the code cannot
 * also pass the check. The two must agree.
 */
import { describe, expect, it } from 'vitest';
import { SLACK_LIMITS } from '../../../src/slack/limits.js';
import { LIMITS } from '../../helpers/block-kit-limits.js';

describe('SLACK_LIMITS', () => {
  it.each(Object.entries(SLACK_LIMITS))('%s agrees with the test oracle', (name, value) => {
    expect(LIMITS).toHaveProperty(name, value);
  });
});
