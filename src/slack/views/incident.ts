/**
 * Incidents: the parent message of a failing job (open, acknowledged, snoozed, resolved,
 * superseded) and the short lines in its thread. Pure: the notifier posts and updates, the
 * delivery decides what to say; this only lays out.
 *
 * Mentions: the parent's top-level `text` names the subscription's owners (`cc <@U…>`), so a new
 * incident notifies them once; thread lines never put anyone in their `text`. Nothing from TICS
 * (job names, ids, statuses) is ever turned into a mention: it is escaped in mrkdwn and shown
 * literally in plain_text; only Slack's own user ids (`body.user.id`) and the pre-validated notify
 * tokens become mentions, and only in their exact shapes.
 */
import type { types } from '@slack/bolt';
import type { JobInstance } from '../../tics/schema.js';
import type { IncidentView, ThreadLine } from '../../watch/types.js';
import type { Incident, IncidentEvent, Snooze } from '../../watch/incidents/types.js';
import type { FailureSummary } from '../../tics/failure-summary.js';
import { decodeCursor, encodeCursor, MAX_BUTTON_VALUE, type HistoryCursor } from '../cursor.js';
import { describeTiming, formatDurationMs, plural, typeLabel } from '../../format/instance.js';
import { statusEmoji, statusShortcode } from '../../format/status.js';
import { escapeAndTruncate, leagueDisplayName, leagueFieldText, leagueName, oneLine, slackDate, truncate, utcText, type SlackMessage } from './format.js';
import { ALERT_ACTIONS, buildAlertMessage, type AlertContext } from './alert.js';
import { decodeIncidentRef, encodeIncidentRef, type IncidentRef, type IncidentRefResult } from './incident-ref.js';
import { SLACK_LIMITS } from '../limits.js';
import { sharedCopy } from './copy.js';

export const INCIDENT_ACTIONS = {
  acknowledge: 'incident_ack',
  snooze: 'incident_snooze',
  snoozeUntilSuccess: 'incident_snooze_success',
  unsnooze: 'incident_unsnooze',
} as const;

/** The snooze select's option values (the handler maps them to SnoozeLength). */
export const SNOOZE_OPTIONS = ['1h', '8h', '24h'] as const;

/**
 * The parent's actions block id: this prefix plus the encoded ref. A select has no `value` of its
 * own (its option carries the length), so the snooze handler reads the incident from here.
 */
export const INCIDENT_BLOCK_PREFIX = 'incident:';
/** The id used when the ref would not fit in 255 characters; the buttons still carry it. */
const BARE_BLOCK_ID = 'incident';

const HISTORY_PAGE = 10; // as alert.ts's Job history button
const WHY_NAME_MAX = 60;
const WHY_INFO_MAX = 300;
const STATUS_MAX = 32;
const TYPE_MAX = 60;
const LEAGUE_MAX = 64;
const ID_MAX = 64;
const USER_MAX = 64;
const TEXT_MAX = 400;
const HEADER_MAX = SLACK_LIMITS.headerText;
const DETECTED_DATE = '{date_short_pretty} at {time}';
const ACK_DATE = '{date_short_pretty} at {time}';

/** Slack ids as `body.user.id` gives them; anything else is shown as text, never as a mention. */
const USER_ID = /^[UW][A-Z0-9]+$/;
const NOTIFY_TOKEN = [/^<@[UW][A-Z0-9]+>$/, /^<!subteam\^S[A-Z0-9]+>$/];

const whyCopy = {
  heading: '*Why it failed*',
  stage: (stage: string, node: string, party: string, task: string) => `Stage ${stage} failed on ${node}${party} · task ${task}`,
  party: (alias: string) => ` (${alias})`,
  info: (excerpt: string) => `> ${excerpt}`,
  partners: (names: string) => `Partners: ${names}`,
  result: (excerpt: string) => `Result info: ${excerpt}`,
} as const;

const copy = {
  header: {
    open: (emoji: string, status: string, name: string) => `${emoji} ${status} · ${name}`,
    stuck: (status: string, name: string) => `⏳ Stuck in ${status} · ${name}`,
    resolved: (name: string) => `✔️ Resolved · ${name}`,
    superseded: (name: string) => `↪️ Superseded · ${name}`,
  },
  text: {
    open: (emoji: string, status: string, name: string, type: string, league: string, failures: string, since: string) =>
      `${emoji} ${status}: ${name} (${type}) in ${league} — ${failures} since ${since}`,
    stuck: (status: string, name: string, type: string, league: string) => `⏳ Stuck in ${status}: ${name} (${type}) in ${league}`,
    resolved: (name: string, league: string, failures: string, lasted: string) => `✔️ Resolved: ${name} in ${league} after ${failures} over ${lasted}`,
    superseded: (name: string, league: string) => `↪️ Superseded: ${name} in ${league} failed again later; continued in a new alert`,
    cc: (tokens: string[]) => ` cc ${tokens.join(' ')}`,
  },
  label: {
    league: 'League',
    type: 'Type',
    since: 'Failing since',
    failures: 'Failures',
    latest: 'Latest',
    acknowledged: 'Acknowledged',
    snoozed: 'Snoozed',
    lasted: 'Lasted',
    resolvedBy: 'Resolved by',
  },
  failures: (count: number) => plural(count, 'failure'),
  stuckOnly: 'a stuck run',
  latest: (status: string, id: string, when: string) => `${status} · ${id}\n${when}`,
  ended: (when: string) => `ended ${when}`,
  endedUnknown: 'end time not reported',
  running: (running: string | undefined, usual: string | undefined) =>
    `${running === undefined ? 'still running' : `running for ${running}`}${usual === undefined ? '' : ` (usually ${usual})`}`,
  acknowledged: (user: string, when: string) => `${user} · ${when}`,
  snoozed: {
    until: (when: string) => `until ${when}`,
    untilSuccess: 'until it succeeds',
    by: (user: string) => `by ${user}`,
    held: (count: number) => `${plural(count, 'alert')} held back`,
  },
  lasted: (duration: string, from: string, to: string) => `${duration}\n${from} – ${to}`,
  resolvedBy: (id: string, when: string) => `${id} SUCCEEDED\n${when}`,
  superseded: 'Failed again more than 24 hours later: continued in a new alert.',
  context: {
    detected: (when: string, league: string) => `:mag: latest detected ${when}  ·  stop these alerts: ${sharedCopy.command(`unwatch ${league}`)}`,
    resolved: (when: string) => `:mag: resolved ${when}`,
    cc: (tokens: string[]) => `cc ${tokens.join(' ')}`,
  },
  simulated: sharedCopy.simulatedNote(),
  unnamedJob: sharedCopy.unnamedJob,
  dash: '—',
  button: {
    acknowledge: 'Acknowledge',
    snoozeUntilSuccess: 'Snooze until it succeeds',
    unsnooze: 'Unsnooze',
    job: 'Job history',
    league: 'League history',
  },
  select: {
    placeholder: 'Snooze…',
    options: { '1h': '1 hour', '8h': '8 hours', '24h': '24 hours' } satisfies Record<(typeof SNOOZE_OPTIONS)[number], string>,
  },
  confirm: {
    title: 'Snooze until it succeeds?',
    text: 'Alerts for this job in this channel stay quiet until an instance of it succeeds. The thread then says what failed meanwhile.',
    confirm: 'Snooze',
    deny: 'Cancel',
  },
  line: {
    failure: (shortcode: string, status: string, number: number, id: string, parts: string[]) =>
      [`${shortcode} *${status}* again — failure ${number.toLocaleString('en-US')}`, `instance ${id}`, ...parts].join(' · '),
    failureText: (emoji: string, status: string, name: string, number: number) =>
      `${emoji} ${status} again: ${name} — failure ${number.toLocaleString('en-US')}`,
    stuck: (id: string, status: string, running: string | undefined, usual: string | undefined) =>
      `:hourglass_flowing_sand: instance ${id} still *${status}*${running === undefined ? '' : ` after ${running}`}` +
      (usual === undefined ? '' : ` (this job usually takes ${usual})`),
    stuckText: (name: string, status: string, running: string | undefined) =>
      `⏳ ${name} still ${status}${running === undefined ? '' : ` after ${running}`}`,
    recovery: (id: string, when: string, failures: string, lasted: string, snoozed: string) =>
      `:heavy_check_mark: Recovered: instance ${id} SUCCEEDED ${when}, after ${failures}; the incident lasted ${lasted}${snoozed}`,
    recoveryText: (name: string, failures: string, lasted: string) => `✔️ Recovered: ${name} after ${failures}; the incident lasted ${lasted}`,
    whileSnoozed: (count: number) => ` (${count.toLocaleString('en-US')} of them while snoozed)`,
    ack: (user: string) => `:eyes: Acknowledged by ${user}`,
    ackText: (name: string) => `👀 ${name} acknowledged`,
    snoozed: (user: string, length: string) => `:no_bell: ${user} snoozed this job's alerts in this channel ${length}`,
    snoozedText: (name: string, length: string) => `🔕 ${name} snoozed ${length}`,
    snoozeFor: (duration: string, until: string) => `for ${duration}, until ${until}`,
    snoozeUntilSuccess: 'until an instance succeeds',
    snoozeEnd: (why: string, what: string) => `:bell: Snooze ended${why}: ${what}`,
    snoozeEndText: (name: string, what: string) => `🔔 Snooze ended for ${name}: ${what}`,
    endExpired: '',
    endUnsnoozed: (user: string) => ` — unsnoozed by ${user}`,
    endRecovered: ' — the job recovered',
    heldBack: (count: number, last: string) => `${plural(count, 'failure')} while snoozed${last}`,
    lastFailure: (status: string, when: string) => `, the last ${status} ${when}`,
    lastStuck: (status: string, when: string) => `, the last stuck in ${status} ${when}`,
    nothing: 'nothing failed meanwhile',
  },
} as const;

// ---------------------------------------------------------------------------------------------
// Parent
// ---------------------------------------------------------------------------------------------

export function buildIncidentParent(view: IncidentView, ctx: AlertContext): SlackMessage {
  const { incident } = view;
  switch (incident.state) {
    case 'resolved':
      return resolvedParent(view, ctx);
    case 'superseded':
      return supersededParent(view, ctx);
    default:
      return openParent(view, ctx);
  }
}

/**
 * A failure's parent starts as the alert it has always been (the first alert "is posted as
 * today"): the same header, facts and result excerpt, now about the latest failure. Below it, once
 * there is something to sum up, the running summary; then the incident's controls. A stuck
 * instance, which no plain alert describes, gets the summary layout from the start.
 */
function openParent(view: IncidentView, ctx: AlertContext): SlackMessage {
  const { incident } = view;
  const { latest } = incident;
  const snooze = activeSnooze(view, ctx.now);
  const ack = acknowledgement(view);
  const tokens = notifyTokens(incident.notify);
  const summarised = latest.kind === 'stuck' ? summaryLayout(view, ctx, ack, snooze) : alertLayout(view, ctx, ack, snooze);
  const blocks: types.KnownBlock[] = [...summarised.blocks];
  if (tokens.length) blocks.push(context(copy.context.cc(tokens)));
  blocks.push(openActions(incident, ack !== undefined, snooze !== undefined));
  // Escaped and cut before the mentions go on, so neither can break a token.
  const text = summarised.text + (tokens.length ? copy.text.cc(tokens) : '');
  return { text, blocks };
}

type Ack = IncidentView['ack'];

function summaryFields(incident: Incident, ack: Ack, snooze: Snooze | undefined, withLatest: boolean): types.MrkdwnElement[] {
  const fields = [field(copy.label.since, slackDate(incident.openedAt)), field(copy.label.failures, eventsText(incident))];
  if (withLatest) fields.push(field(copy.label.latest, latestText(incident.latest)));
  if (ack) fields.push(field(copy.label.acknowledged, copy.acknowledged(userText(ack.userId), slackDate(ack.at, ACK_DATE))));
  if (snooze) fields.push(field(copy.label.snoozed, snoozeText(snooze, incident)));
  return fields;
}

function alertLayout(view: IncidentView, ctx: AlertContext, ack: Ack, snooze: Snooze | undefined): SlackMessage {
  const { incident } = view;
  const { latest } = incident;
  const alert = buildAlertMessage(
    {
      key: '',
      subscriptionId: incident.subscriptionId,
      channelId: incident.channelId,
      league: incident.league,
      instance: latest.instance,
      ...(latest.from === undefined ? {} : { from: latest.from }),
      to: latest.status,
      observedAt: latest.observedAt,
    },
    ctx,
  );
  // The alert's own Job history button moves into the incident's controls.
  const blocks = alert.blocks.filter((b) => b.type !== 'actions');
  const why = whySection(latest.summary ?? incident.first.summary);
  // Right under the alert's facts: what a person reads next.
  if (why) blocks.splice(2, 0, why);
  const hasSummary = incident.events > 1 || ack !== undefined || snooze !== undefined;
  // Above the alert's "detected" line, which stays last, as on every alert.
  if (hasSummary) blocks.splice(Math.max(0, blocks.length - 1), 0, { type: 'section', fields: summaryFields(incident, ack, snooze, false) });
  if (incident.events <= 1) return { text: alert.text, blocks };
  const status = oneLine(latest.status);
  const plain = copy.text.open(statusEmoji(latest.status), status, jobNameOf(incident), oneLine(typeLabel(incident.job.type)), leagueDisplayName(incident.league), eventsText(incident), utcText(incident.openedAt));
  return { text: escapeAndTruncate(plain + (ctx.simulated ? sharedCopy.simulatedSuffix : ''), TEXT_MAX), blocks };
}

/**
 * "4 failures"; an incident that is only one stuck instance has failed nothing yet, so it says
 * "a stuck run" instead of "1 failure".
 */
function eventsText(incident: Incident): string {
  return incident.events === 1 && incident.first.kind === 'stuck' ? copy.stuckOnly : copy.failures(incident.events);
}

/** The failure summary the watcher fetched for the incident's first failure, when it could. */
function whySection(summary: FailureSummary | undefined): types.SectionBlock | undefined {
  if (!summary) return undefined;
  const lines: string[] = [];
  const failed = summary.failedStage;
  if (failed) {
    lines.push(whyCopy.stage(code(failed.stage, WHY_NAME_MAX), code(failed.node, WHY_NAME_MAX), failed.party ? whyCopy.party(escapeAndTruncate(oneLine(failed.party), WHY_NAME_MAX)) : '', code(failed.task, WHY_NAME_MAX)));
    if (failed.info) lines.push(whyCopy.info(escapeAndTruncate(oneLine(failed.info), WHY_INFO_MAX)));
  }
  if (summary.partners?.length) lines.push(whyCopy.partners(summary.partners.map((p) => escapeAndTruncate(oneLine(p), WHY_NAME_MAX)).join(', ')));
  if (summary.resultInfo) lines.push(whyCopy.result(escapeAndTruncate(oneLine(summary.resultInfo), WHY_INFO_MAX)));
  if (!lines.length) return undefined;
  return { type: 'section', text: { type: 'mrkdwn', text: truncate([whyCopy.heading, ...lines].join('\n'), SLACK_LIMITS.sectionText) } };
}

function summaryLayout(view: IncidentView, ctx: AlertContext, ack: Ack, snooze: Snooze | undefined): SlackMessage {
  const { incident } = view;
  const { latest } = incident;
  const name = jobNameOf(incident);
  const status = oneLine(latest.status);
  const headerText = latest.kind === 'stuck' ? copy.header.stuck(status, name) : copy.header.open(statusEmoji(latest.status), status, name);
  const fields = [...identityFields(incident), ...summaryFields(incident, ack, snooze, true)];
  const blocks: types.KnownBlock[] = [header(headerText), { type: 'section', fields }, detectedContext(incident, ctx)];
  const type = oneLine(typeLabel(incident.job.type));
  const plain =
    latest.kind === 'stuck'
      ? copy.text.stuck(status, name, type, leagueDisplayName(incident.league))
      : copy.text.open(statusEmoji(latest.status), status, name, type, leagueDisplayName(incident.league), eventsText(incident), utcText(incident.openedAt));
  return { text: escapeAndTruncate(plain + (ctx.simulated ? sharedCopy.simulatedSuffix : ''), TEXT_MAX), blocks };
}

function resolvedParent(view: IncidentView, ctx: AlertContext): SlackMessage {
  const { incident } = view;
  const name = jobNameOf(incident);
  const resolvedAt = incident.resolvedAt ?? incident.latest.observedAt;
  const lasted = formatDurationMs(resolvedAt - incident.openedAt);
  const fields = [
    ...identityFields(incident),
    field(copy.label.failures, eventsText(incident)),
    field(copy.label.lasted, copy.lasted(lasted, slackDate(incident.openedAt), slackDate(resolvedAt))),
    field(copy.label.resolvedBy, resolvedByText(incident.resolvedBy, resolvedAt)),
  ];
  const ack = acknowledgement(view);
  if (ack) fields.push(field(copy.label.acknowledged, copy.acknowledged(userText(ack.userId), slackDate(ack.at, ACK_DATE))));
  const blocks: types.KnownBlock[] = [header(copy.header.resolved(name)), { type: 'section', fields }, resolvedContext(resolvedAt, ctx)];
  const history = historyButton(incident);
  if (history) blocks.push({ type: 'actions', elements: [history] });
  const text = copy.text.resolved(name, leagueDisplayName(incident.league), eventsText(incident), lasted);
  return { text: escapeAndTruncate(text + (ctx.simulated ? sharedCopy.simulatedSuffix : ''), TEXT_MAX), blocks };
}

function supersededParent(view: IncidentView, ctx: AlertContext): SlackMessage {
  const { incident } = view;
  const name = jobNameOf(incident);
  const fields = [
    ...identityFields(incident),
    field(copy.label.since, slackDate(incident.openedAt)),
    field(copy.label.failures, eventsText(incident)),
    field(copy.label.latest, latestText(incident.latest)),
  ];
  const blocks: types.KnownBlock[] = [
    header(copy.header.superseded(name)),
    { type: 'section', text: { type: 'mrkdwn', text: copy.superseded } },
    { type: 'section', fields },
  ];
  if (ctx.simulated) blocks.push(context(copy.simulated));
  const history = historyButton(incident);
  if (history) blocks.push({ type: 'actions', elements: [history] });
  const text = copy.text.superseded(name, leagueDisplayName(incident.league));
  return { text: escapeAndTruncate(text + (ctx.simulated ? sharedCopy.simulatedSuffix : ''), TEXT_MAX), blocks };
}

/** The ack of this generation only: an ack of an earlier incident in the slot does not carry over. */
function acknowledgement(view: IncidentView): IncidentView['ack'] {
  return view.ack && view.ack.seq === view.incident.seq ? view.ack : undefined;
}

function activeSnooze(view: IncidentView, now: number): Snooze | undefined {
  const { snooze } = view;
  if (!snooze) return undefined;
  return snooze.untilSuccess || (snooze.until !== undefined && snooze.until > now) ? snooze : undefined;
}

function identityFields(incident: Incident): types.MrkdwnElement[] {
  const { league } = incident;
  const leagueText = leagueFieldText(league, LEAGUE_MAX, (id) => code(id));
  return [
    field(copy.label.league, leagueText),
    field(copy.label.type, escapeAndTruncate(oneLine(typeLabel(incident.job.type)), TYPE_MAX) || copy.dash),
  ];
}

function latestText(event: IncidentEvent): string {
  const status = `${statusShortcode(event.status)} *${escapeAndTruncate(oneLine(event.status), STATUS_MAX)}*`;
  const id = event.instance.id ? code(event.instance.id) : copy.dash;
  if (event.kind === 'stuck') return copy.latest(status, id, copy.running(runningFor(event), usualFor(event)));
  const { endTime } = event.instance;
  return copy.latest(status, id, endTime === undefined ? copy.endedUnknown : copy.ended(slackDate(endTime)));
}

function snoozeText(snooze: Snooze, incident: Incident): string {
  const until = snooze.untilSuccess || snooze.until === undefined ? copy.snoozed.untilSuccess : copy.snoozed.until(slackDate(snooze.until));
  const lines = [until, copy.snoozed.by(userText(snooze.by))];
  const held = incident.snoozed?.snoozeId === snooze.id ? incident.snoozed.count : 0;
  if (held > 0) lines.push(copy.snoozed.held(held));
  return lines.join('\n');
}

function resolvedByText(instance: JobInstance | undefined, resolvedAt: number): string {
  if (!instance) return copy.dash;
  return copy.resolvedBy(instance.id ? code(instance.id) : copy.dash, slackDate(instance.endTime ?? resolvedAt));
}

function detectedContext(incident: Incident, ctx: AlertContext): types.ContextBlock {
  const league = escapeAndTruncate(leagueName(incident.league), LEAGUE_MAX);
  const elements: types.MrkdwnElement[] = [{ type: 'mrkdwn', text: copy.context.detected(slackDate(incident.latest.observedAt, DETECTED_DATE), league) }];
  if (ctx.simulated) elements.push({ type: 'mrkdwn', text: copy.simulated });
  return { type: 'context', elements };
}

function resolvedContext(resolvedAt: number, ctx: AlertContext): types.ContextBlock {
  const elements: types.MrkdwnElement[] = [{ type: 'mrkdwn', text: copy.context.resolved(slackDate(resolvedAt, DETECTED_DATE)) }];
  if (ctx.simulated) elements.push({ type: 'mrkdwn', text: copy.simulated });
  return { type: 'context', elements };
}

function openActions(incident: Incident, acknowledged: boolean, snoozed: boolean): types.ActionsBlock {
  const ref = { slot: incident.slot, seq: incident.seq };
  const value = encodeIncidentRef(ref);
  const elements: types.ActionsBlockElement[] = [
    {
      type: 'button',
      action_id: INCIDENT_ACTIONS.acknowledge,
      text: plain(copy.button.acknowledge),
      value,
      // Highlighted until someone has it; acknowledging again (taking over) stays possible.
      ...(acknowledged ? {} : { style: 'primary' as const }),
    },
  ];
  if (snoozed) {
    elements.push({ type: 'button', action_id: INCIDENT_ACTIONS.unsnooze, text: plain(copy.button.unsnooze), value });
  } else {
    elements.push(
      {
        type: 'static_select',
        action_id: INCIDENT_ACTIONS.snooze,
        placeholder: plain(copy.select.placeholder),
        options: SNOOZE_OPTIONS.map((length) => ({ text: plain(copy.select.options[length]), value: length })),
      },
      {
        type: 'button',
        action_id: INCIDENT_ACTIONS.snoozeUntilSuccess,
        text: plain(copy.button.snoozeUntilSuccess),
        value,
        // Open-ended, so asked twice; the timed lengths end on their own.
        confirm: {
          title: plain(copy.confirm.title),
          text: plain(copy.confirm.text),
          confirm: plain(copy.confirm.confirm),
          deny: plain(copy.confirm.deny),
        },
      },
    );
  }
  const history = historyButton(incident);
  if (history) elements.push(history);
  return { type: 'actions', block_id: incidentBlockId(ref), elements };
}

function incidentBlockId(ref: IncidentRef): string {
  const id = INCIDENT_BLOCK_PREFIX + encodeIncidentRef(ref);
  return id.length <= SLACK_LIMITS.id ? id : BARE_BLOCK_ID;
}

/**
 * The incident an action on a parent stands for, from its `block_id` (`body.actions[0].block_id`).
 * When the ref did not fit there (a slot far longer than any real one) the block id is bare, and
 * the ref is read from the block's buttons in `blocks` (`body.message.blocks`).
 */
export function incidentRefFromBlockId(blockId: string | undefined, blocks?: readonly unknown[]): IncidentRefResult {
  if (blockId?.startsWith(INCIDENT_BLOCK_PREFIX)) return decodeIncidentRef(blockId.slice(INCIDENT_BLOCK_PREFIX.length));
  if (blockId !== BARE_BLOCK_ID) return { ok: false, reason: 'the control is not on an incident alert' };
  const block = blocks?.find((b): b is { block_id: string; elements?: unknown } => isRecord(b) && b.block_id === BARE_BLOCK_ID);
  const buttons: unknown[] = Array.isArray(block?.elements) ? (block.elements as unknown[]) : [];
  const ids: readonly string[] = Object.values(INCIDENT_ACTIONS);
  const button = buttons.find((e): e is { value: string } => isRecord(e) && typeof e.action_id === 'string' && ids.includes(e.action_id) && typeof e.value === 'string');
  return button ? decodeIncidentRef(button.value) : { ok: false, reason: 'the alert no longer says which incident it is' };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * The job's history, or — when its name would not survive the button round trip — the whole
 * league's, labelled as such; none only when even that would be refused. Same as alert.ts's.
 */
function historyButton(incident: Incident): types.Button | undefined {
  const league: HistoryCursor = { v: 1, league: leagueName(incident.league), limit: HISTORY_PAGE, offset: 0 };
  const name = incident.job.name;
  const candidates = name ? [{ ...league, jobName: name }, league] : [league];
  for (const cursor of candidates) {
    const value = encodeCursor(cursor);
    if (value.length > MAX_BUTTON_VALUE || !decodeCursor(value).ok) continue;
    return {
      type: 'button',
      action_id: ALERT_ACTIONS.jobHistory,
      text: plain(cursor.jobName === undefined ? copy.button.league : copy.button.job),
      value,
    };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Thread lines
// ---------------------------------------------------------------------------------------------

/** One reply in the incident's thread: a single section, no header; its `text` mentions nobody. */
export function buildThreadLine(incident: Incident, line: ThreadLine, ctx: AlertContext): SlackMessage {
  const name = jobNameOf(incident);
  const [mrkdwn, plainText] = threadLineTexts(incident, name, line);
  const suffix = ctx.simulated ? sharedCopy.simulatedSuffix : '';
  return {
    text: escapeAndTruncate(plainText + suffix, TEXT_MAX),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(mrkdwn, SLACK_LIMITS.sectionText) } }],
  };
}

function threadLineTexts(incident: Incident, name: string, line: ThreadLine): [string, string] {
  const l = copy.line;
  switch (line.kind) {
    case 'event': {
      const { event } = line;
      const status = oneLine(event.status);
      const id = event.instance.id ? code(event.instance.id) : copy.dash;
      if (event.kind === 'stuck') {
        const running = runningFor(event);
        return [l.stuck(id, escapeAndTruncate(status, STATUS_MAX), running, usualFor(event)), l.stuckText(name, truncate(status, STATUS_MAX), running)];
      }
      const parts: string[] = [];
      const { instance } = event;
      if (instance.endTime !== undefined) parts.push(copy.ended(slackDate(instance.endTime)));
      if (instance.startTime !== undefined && instance.endTime !== undefined) parts.push(describeTiming(instance, event.observedAt));
      return [
        l.failure(statusShortcode(event.status), escapeAndTruncate(status, STATUS_MAX), line.number, id, parts),
        l.failureText(statusEmoji(event.status), truncate(status, STATUS_MAX), name, line.number),
      ];
    }
    case 'recovery': {
      const resolved = line.incident;
      const resolvedAt = resolved.resolvedAt ?? resolved.latest.observedAt;
      const by = resolved.resolvedBy;
      const id = by?.id ? code(by.id) : copy.dash;
      const failures = eventsText(resolved);
      const lasted = formatDurationMs(resolvedAt - resolved.openedAt);
      const snoozed = line.snoozedCount > 0 ? l.whileSnoozed(line.snoozedCount) : '';
      return [l.recovery(id, slackDate(by?.endTime ?? resolvedAt), failures, lasted, snoozed), l.recoveryText(name, failures, lasted)];
    }
    case 'ack':
      return [l.ack(userText(line.userId)), l.ackText(name)];
    case 'snoozed': {
      const { snooze } = line;
      const length =
        snooze.untilSuccess || snooze.until === undefined ? l.snoozeUntilSuccess : l.snoozeFor(formatDurationMs(snooze.until - snooze.at), slackDate(snooze.until));
      const plainLength =
        snooze.untilSuccess || snooze.until === undefined ? l.snoozeUntilSuccess : `for ${formatDurationMs(snooze.until - snooze.at)}`;
      return [l.snoozed(userText(snooze.by), length), l.snoozedText(name, plainLength)];
    }
    case 'snooze-end': {
      const why =
        line.reason === 'unsnoozed'
          ? l.endUnsnoozed(line.userId === undefined ? 'someone' : userText(line.userId))
          : line.reason === 'recovered'
            ? l.endRecovered
            : l.endExpired;
      const what = (date: (ms: number) => string, status: (s: string) => string) => {
        if (line.count <= 0) return l.nothing;
        const { last } = line;
        if (!last) return l.heldBack(line.count, '');
        const when = date(last.instance.endTime ?? last.observedAt);
        const s = status(oneLine(last.status));
        return l.heldBack(line.count, last.kind === 'stuck' ? l.lastStuck(s, when) : l.lastFailure(s, when));
      };
      return [
        l.snoozeEnd(why, what(slackDate, (s) => escapeAndTruncate(s, STATUS_MAX))),
        l.snoozeEndText(name, what(utcText, (s) => truncate(s, STATUS_MAX))),
      ];
    }
  }
}

// ---------------------------------------------------------------------------------------------

function runningFor(event: IncidentEvent): string | undefined {
  if (event.runningMs !== undefined) return formatDurationMs(event.runningMs);
  const { startTime } = event.instance;
  return startTime === undefined ? undefined : formatDurationMs(event.observedAt - startTime);
}

function usualFor(event: IncidentEvent): string | undefined {
  return event.usualMs === undefined ? undefined : formatDurationMs(event.usualMs);
}

/** A Slack user id becomes a mention; anything else (crafted payloads) is inert text. */
function userText(userId: string): string {
  return USER_ID.test(userId) ? `<@${userId}>` : escapeAndTruncate(userId, USER_MAX);
}

/** The owners' tokens, only in their exact shapes: never a mass mention, never anything else. */
function notifyTokens(notify: readonly string[] | undefined): string[] {
  return [...new Set((notify ?? []).filter((token) => NOTIFY_TOKEN.some((shape) => shape.test(token))))].slice(0, 20);
}

function jobNameOf(incident: Incident): string {
  return oneLine(incident.job.name) || copy.unnamedJob;
}

function header(text: string): types.HeaderBlock {
  // Unicode in plain_text with emoji:false, as alert.ts: a job named ":tada:" stays words.
  return { type: 'header', text: { type: 'plain_text', text: truncate(text, HEADER_MAX), emoji: false } };
}

function field(label: string, value: string): types.MrkdwnElement {
  return { type: 'mrkdwn', text: `*${label}*\n${value}` };
}

function context(text: string): types.ContextBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

function plain(text: string): types.PlainTextElement {
  return { type: 'plain_text', text, emoji: false };
}

/** An inline code span; a backtick in the data would end it early, so it becomes a look-alike. */
function code(value: string, max = ID_MAX): string {
  return `\`${escapeAndTruncate(value.replace(/`/g, 'ˋ'), max)}\``;
}
