/**
 * Events API deliveries and clicks in a view (App Home), the way Slack sends them: in HTTP mode a
 * signed JSON `event_callback` (events) or form `payload=` (clicks) to /slack/events; in Socket Mode
 * the same payload as an `events_api` / `interactive` envelope the bot must ack. A click in a view
 * carries `view` and a `trigger_id`, and no `response_url`, `channel` or `message`.
 */
import { randomBytes } from 'node:crypto';
import { FAKE_BOT, FAKE_TEAM } from '../fakes/slack-api.js';
import type { Harness, SlackBody } from './bot-harness.js';
import { postToApp, signSlackRequest, slackTs } from './slack-requests.js';

export interface Delivered {
  /** HTTP status, or 200 once the bot acked the envelope (Socket Mode). */
  status: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The `event_callback` Slack sends when someone opens one of the app's tabs. */
export function appHomeOpenedBody(userId: string, tab: 'home' | 'messages' | 'about' = 'home'): Record<string, unknown> {
  return {
    token: 'deprecated-verification-token',
    team_id: FAKE_TEAM.id,
    api_app_id: FAKE_BOT.appId,
    event: {
      type: 'app_home_opened',
      user: userId,
      channel: `D${randomBytes(5).toString('hex').toUpperCase()}`,
      tab,
      event_ts: slackTs(),
    },
    type: 'event_callback',
    event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: FAKE_TEAM.id, user_id: FAKE_BOT.userId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  };
}

/** Delivers an Events API body: signed JSON in HTTP mode, an `events_api` envelope in Socket Mode. */
export async function sendEvent(h: Harness, body: Record<string, unknown>): Promise<Delivered> {
  if (h.mode === 'socket') {
    const id = h.slack.socket.send('events_api', body);
    await h.slack.socket.waitForAck(id);
    return { status: 200 };
  }
  const raw = JSON.stringify(body);
  const res = await fetch(h.eventsUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signSlackRequest(h.signingSecret, raw) },
    body: raw,
  });
  await res.text();
  return { status: res.status };
}

export async function openHome(h: Harness, userId: string, tab: 'home' | 'messages' | 'about' = 'home'): Promise<Delivered> {
  return sendEvent(h, appHomeOpenedBody(userId, tab));
}

export interface ViewButton {
  actionId: string;
  blockId: string | undefined;
  value: string | undefined;
  url: string | undefined;
  text: string;
}

/** Every button in a view (section accessories and actions blocks), in order. */
export function viewButtons(view: SlackBody): ViewButton[] {
  const out: ViewButton[] = [];
  const add = (element: unknown, blockId: string | undefined) => {
    if (!isRecord(element) || element.type !== 'button' || typeof element.action_id !== 'string') return;
    out.push({
      actionId: element.action_id,
      blockId,
      value: typeof element.value === 'string' ? element.value : undefined,
      url: typeof element.url === 'string' ? element.url : undefined,
      text: isRecord(element.text) && typeof element.text.text === 'string' ? element.text.text : '',
    });
  };
  for (const block of Array.isArray(view.blocks) ? view.blocks : []) {
    if (!isRecord(block)) continue;
    const blockId = typeof block.block_id === 'string' ? block.block_id : undefined;
    if (block.accessory !== undefined) add(block.accessory, blockId);
    if (Array.isArray(block.elements)) for (const e of block.elements) add(e, blockId);
  }
  return out;
}

/** The `block_actions` payload of a click on `button` in the published `view`. */
export function viewClickPayload(view: SlackBody, button: ViewButton, userId: string, triggerId: string): Record<string, unknown> {
  const action: Record<string, unknown> = {
    type: 'button',
    action_id: button.actionId,
    block_id: button.blockId ?? randomBytes(3).toString('base64url'),
    text: { type: 'plain_text', text: button.text, emoji: true },
    action_ts: slackTs(),
  };
  if (button.value !== undefined) action.value = button.value;
  return {
    type: 'block_actions',
    user: { id: userId, username: 'someone', name: 'someone', team_id: FAKE_TEAM.id },
    api_app_id: FAKE_BOT.appId,
    token: 'deprecated-verification-token',
    container: { type: 'view', view_id: view.id },
    trigger_id: triggerId,
    team: { id: FAKE_TEAM.id, domain: FAKE_TEAM.domain },
    enterprise: null,
    is_enterprise_install: false,
    view,
    actions: [action],
  };
}

/** Clicks the `nth` button with this action id in the view (throws if there is none). */
export async function clickInView(h: Harness, view: SlackBody, actionId: string, userId: string, nth = 0): Promise<Delivered> {
  const button = viewButtons(view).filter((b) => b.actionId === actionId)[nth];
  if (!button) throw new Error(`no "${actionId}" button #${nth} in the view; buttons: ${viewButtons(view).map((b) => b.actionId).join(', ') || 'none'}`);
  const payload = viewClickPayload(view, button, userId, h.slack.triggerId());
  if (h.mode === 'socket') {
    const id = h.slack.socket.send('interactive', payload);
    await h.slack.socket.waitForAck(id);
    return { status: 200 };
  }
  const result = await postToApp(h.eventsUrl, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), { signingSecret: h.signingSecret });
  return { status: result.status };
}
