/**
 * Where an incident lives. Instances carry no job id (ListInstanceHistory has only `job_name`), so
 * a job is its exact name; a digest of it keeps keys short and free of `|`, `:` and spaces
 * whatever the name holds (up to 128 characters, often Chinese). An instance without a name is
 * its own job.
 */
import { createHash } from 'node:crypto';

export function jobKeyOf(jobName: string, instanceId: string): string {
  const basis = jobName === '' ? `instance\u0000${instanceId}` : `name\u0000${jobName}`;
  return createHash('sha256').update(basis).digest('base64url').slice(0, 22);
}

/** One slot per (subscription = league + channel, job); its incidents take turns in it. */
export function slotOf(subscriptionId: string, jobKey: string): string {
  return `${subscriptionId}|${jobKey}`;
}

/** The subscription a slot (or any outbox key) belongs to: everything before the first `|`. */
export function subscriptionOfSlot(slot: string): string {
  const bar = slot.indexOf('|');
  return bar < 0 ? slot : slot.slice(0, bar);
}
