/**
 * Builders for the HTTP requests Slack itself sends to the app (slash commands, button clicks),
 * signed the way Slack signs them, so tests drive the real Bolt receiver over real HTTP.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

// Ids shaped like Slack's so handlers that pattern-match ids (C…/U…/T…) behave as in production.
const DEFAULTS = {
  command: '/tics',
  userId: 'U0USER0001',
  userName: 'alice',
  channelId: 'C0CHAN0001',
  channelName: 'tics-alerts',
  teamId: 'T0000TEST',
  teamDomain: 'tics-test',
  apiAppId: 'A0TICSBOT1',
  // Slack still sends the deprecated verification token; Bolt ignores it, but it must be present.
  verificationToken: 'vErIfIcAtIoNtOkEnTeSt000',
  botId: 'B0BOT',
  botUserId: 'U0BOT',
} as const;

export function signSlackRequest(
  signingSecret: string,
  rawBody: string,
  timestampSeconds: number = Math.floor(Date.now() / 1000),
): { 'x-slack-signature': string; 'x-slack-request-timestamp': string } {
  const ts = String(Math.trunc(timestampSeconds));
  const digest = createHmac('sha256', signingSecret).update(`v0:${ts}:${rawBody}`).digest('hex');
  return { 'x-slack-signature': `v0=${digest}`, 'x-slack-request-timestamp': ts };
}

/** `<13 digits>.<11 digits>.<32 hex>`, the shape of Slack's trigger ids. */
export function fakeTriggerId(): string {
  const digits = (n: number): string =>
    Array.from(randomBytes(n), (b) => String(b % 10)).join('').replace(/^0/, '1');
  return `${digits(13)}.${digits(11)}.${randomBytes(16).toString('hex')}`;
}

/** A Slack-style `seconds.micros` timestamp for "now". */
export function slackTs(atMs: number = Date.now()): string {
  const micros = Math.floor(atMs * 1000) + Math.floor(Math.random() * 1000);
  return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
}

export interface SlashCommandInput {
  text: string;
  command?: string;
  userId?: string;
  userName?: string;
  channelId?: string;
  channelName?: string;
  teamId?: string;
  teamDomain?: string;
  responseUrl: string;
  triggerId?: string;
  apiAppId?: string;
  enterpriseId?: string;
}

/** The form body of a slash command, fields in the order Slack sends them. */
export function slashCommandBody(input: SlashCommandInput): string {
  const form = new URLSearchParams();
  form.set('token', DEFAULTS.verificationToken);
  form.set('team_id', input.teamId ?? DEFAULTS.teamId);
  form.set('team_domain', input.teamDomain ?? DEFAULTS.teamDomain);
  if (input.enterpriseId !== undefined) {
    form.set('enterprise_id', input.enterpriseId);
    form.set('enterprise_name', 'TICS Test Grid');
  }
  form.set('channel_id', input.channelId ?? DEFAULTS.channelId);
  form.set('channel_name', input.channelName ?? DEFAULTS.channelName);
  form.set('user_id', input.userId ?? DEFAULTS.userId);
  form.set('user_name', input.userName ?? DEFAULTS.userName);
  form.set('command', input.command ?? DEFAULTS.command);
  form.set('text', input.text);
  form.set('api_app_id', input.apiAppId ?? DEFAULTS.apiAppId);
  form.set('is_enterprise_install', 'false');
  form.set('response_url', input.responseUrl);
  form.set('trigger_id', input.triggerId ?? fakeTriggerId());
  return form.toString();
}

export interface BlockActionInput {
  actionId: string;
  value?: string;
  /** Slack generates a random block_id when the app sets none; so do we. */
  blockId?: string;
  userId?: string;
  userName?: string;
  channelId?: string;
  channelName?: string;
  teamId?: string;
  teamDomain?: string;
  apiAppId?: string;
  responseUrl: string;
  messageTs?: string;
  /** Slack's container type is always 'message' for messages; 'ephemeral' here is shorthand for isEphemeral. */
  containerType?: 'message' | 'ephemeral';
  isEphemeral?: boolean;
  triggerId?: string;
  buttonText?: string;
  /** The message the button sits in; when omitted, a message holding just the clicked button. */
  messageText?: string;
  messageBlocks?: unknown[];
  /** A choice in a `static_select` instead of a button click: the option picked, as Slack sends it. */
  selectedOption?: { value: string; text: string };
  /** The select's placeholder (Slack echoes it in the action); 'Select…' by default. */
  placeholder?: string;
}

/** The form body (`payload=<JSON>`) of a button click, or of a choice in a static select. */
export function blockActionsBody(input: BlockActionInput): string {
  const ephemeral = input.isEphemeral === true || input.containerType === 'ephemeral';
  const teamId = input.teamId ?? DEFAULTS.teamId;
  const channelId = input.channelId ?? DEFAULTS.channelId;
  const apiAppId = input.apiAppId ?? DEFAULTS.apiAppId;
  const userName = input.userName ?? DEFAULTS.userName;
  const messageTs = input.messageTs ?? slackTs();
  const blockId = input.blockId ?? randomBytes(3).toString('base64url');
  const buttonText = { type: 'plain_text', text: input.buttonText ?? 'Button', emoji: true };
  const placeholder = { type: 'plain_text', text: input.placeholder ?? 'Select…', emoji: true };
  // A select's action has no `value` or `text` of its own: the option carries both.
  const action: Record<string, unknown> = input.selectedOption
    ? {
        type: 'static_select',
        action_id: input.actionId,
        block_id: blockId,
        selected_option: { text: { type: 'plain_text', text: input.selectedOption.text, emoji: true }, value: input.selectedOption.value },
        placeholder,
        action_ts: slackTs(),
      }
    : { type: 'button', action_id: input.actionId, block_id: blockId, text: buttonText, action_ts: slackTs() };
  if (input.value !== undefined && !input.selectedOption) action.value = input.value;

  const payload: Record<string, unknown> = {
    type: 'block_actions',
    user: { id: input.userId ?? DEFAULTS.userId, username: userName, name: userName, team_id: teamId },
    api_app_id: apiAppId,
    token: DEFAULTS.verificationToken,
    container: { type: 'message', message_ts: messageTs, channel_id: channelId, is_ephemeral: ephemeral },
    trigger_id: input.triggerId ?? fakeTriggerId(),
    team: { id: teamId, domain: input.teamDomain ?? DEFAULTS.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channelId, name: input.channelName ?? DEFAULTS.channelName },
    state: { values: {} },
    response_url: input.responseUrl,
    actions: [action],
  };
  // Slack omits `message` for clicks in ephemeral messages: handlers cannot read the original
  // there, and tests must not let them pretend they can.
  if (!ephemeral) {
    const button: Record<string, unknown> = input.selectedOption
      ? {
          type: 'static_select',
          action_id: input.actionId,
          placeholder,
          options: [{ text: { type: 'plain_text', text: input.selectedOption.text, emoji: true }, value: input.selectedOption.value }],
        }
      : { type: 'button', action_id: input.actionId, text: buttonText };
    if (input.value !== undefined && !input.selectedOption) button.value = input.value;
    payload.message = {
      type: 'message',
      subtype: 'bot_message',
      text: input.messageText ?? 'tics-bot message',
      ts: messageTs,
      user: DEFAULTS.botUserId,
      bot_id: DEFAULTS.botId,
      app_id: apiAppId,
      team: teamId,
      blocks: input.messageBlocks ?? [{ type: 'actions', block_id: blockId, elements: [button] }],
    };
  }
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export interface PostResult {
  status: number;
  body: string;
  headers: Record<string, string>;
  elapsedMs: number;
}

export interface PostOptions {
  /** Omit to send the request unsigned. */
  signingSecret?: string;
  timestampSeconds?: number;
  /** Sign the body, then send an altered one. */
  tamper?: boolean;
  /** Slack's redelivery marker (X-Slack-Retry-Num). */
  retryNum?: number;
}

export async function postToApp(appUrl: string, body: string, opts: PostOptions): Promise<PostResult> {
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
  };
  if (opts.signingSecret !== undefined) {
    Object.assign(headers, signSlackRequest(opts.signingSecret, body, opts.timestampSeconds));
  }
  if (opts.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(opts.retryNum);
    headers['x-slack-retry-reason'] = 'http_timeout';
  }
  const sent = opts.tamper === true ? `${body}&tampered=1` : body;
  const started = performance.now();
  const res = await fetch(appUrl, { method: 'POST', headers, body: sent });
  const text = await res.text();
  const elapsedMs = performance.now() - started;
  return { status: res.status, body: text, headers: Object.fromEntries(res.headers.entries()), elapsedMs };
}
