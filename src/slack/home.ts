/**
 * App Home: `app_home_opened` (Home tab only) and the Refresh button publish the person's view with
 * `views.publish`; History opens a modal with the first page, Unsnooze ends a snooze and
 * republishes. Clicks in a view carry no response_url, so every answer is a view, never a reply.
 *
 * Who sees what: every watch whose channel may query its league under TICS_ACCESS (all of them
 * when it is unset). The person's own channel membership is not looked up — that would need
 * channels:read/groups:read and a users.conversations walk per open — so the Home never shows more
 * than some channel may already query, and the buttons check the same rule again.
 */
import type { App, BlockAction, ButtonAction, types, webApi } from '@slack/bolt';
import { millisecondsInDay } from 'date-fns/constants';
import type { Logger } from '../log.js';
import { noopMetrics, type InteractionOutcome } from '../metrics.js';
import { resolveLeague } from '../tics/leagues.js';
import type { WatchListRow } from '../watch/service.js';
import type { IncidentView } from '../watch/types.js';
import { withLeagueNames } from './league-names.js';
import { decodeCursor } from './cursor.js';
import type { SlackDeps } from './deps.js';
import { renderHistory } from './history-service.js';
import { decodeIncidentRef } from './incident-ref.js';
import { sharedCopy } from './views/copy.js';
import { escapeMrkdwn, mrkdwnContext, type SlackMessage } from './views/format.js';
import { buildHomeView, HOME_ACTIONS, homeSummary, incidentsShown, permalinkKey, type HomeView } from './views/home.js';
import { buildUnsnoozed } from './views/watch-extras.js';

const copy = {
  disabled: ':no_entry_sign: Watching is not enabled in this deployment of tics-bot, so there is nothing to show here yet.',
  notSnoozed: ':shrug: That job was not snoozed any more: nothing changed.',
  notVisible: ':no_entry_sign: That watch is not on your Home any more (removed, or `TICS_ACCESS` changed): nothing changed.',
  badButton: (reason: string) => `:warning: That button no longer works (${reason}). Here is the Home as it is now.`,
  modalTitle: 'History',
  modalClose: 'Close',
  snapshot: (league: string) => `The first page, as it is now. Page through it, filter it or share it with ${sharedCopy.command(`history ${league}`)} in a channel.`,
  historyDenied: 'That league is not on your Home any more (no watch you can see covers it).',
} as const;

/** Permalinks never change; remembered so a Refresh does not ask Slack again for each thread. */
const PERMALINKS_KEPT = 500;
const RECENT_ALERTS_MS = millisecondsInDay;
/** A modal's own limit. */
const MODAL_MAX_BLOCKS = 100;

type Client = webApi.WebClient;
type HomeClick = BlockAction<ButtonAction>;

export function registerHome(app: App, deps: SlackDeps): void {
  const metrics = deps.metrics ?? noopMetrics;
  const permalinks = new Map<string, string>();
  const log = deps.logger.child({ component: 'app-home' });

  const publish = async (client: Client, userId: string, notice?: string): Promise<void> => {
    const view = await buildFor(deps, client, userId, permalinks, log, notice);
    await client.views.publish({ user_id: userId, view });
  };

  app.event('app_home_opened', async ({ event, client }) => {
    // The Messages and About tabs open this event too; only Home has a view to publish.
    if (event.tab !== 'home') return;
    try {
      await publish(client, event.user);
    } catch (error) {
      log.warn({ err: error, user: event.user }, 'could not publish the Home tab');
    }
  });

  const onClick = (actionId: string, run: (body: HomeClick, client: Client) => Promise<InteractionOutcome>) => {
    app.action<HomeClick>(actionId, async ({ ack, body, client }) => {
      await ack();
      let outcome: InteractionOutcome = 'error';
      try {
        outcome = await run(body, client);
      } catch (error) {
        log.warn({ err: error, action: actionId, user: body.user.id }, 'App Home button failed');
      } finally {
        metrics.buttonClick(actionId, outcome);
      }
    });
  };

  onClick(HOME_ACTIONS.refresh, async (body, client) => {
    await publish(client, body.user.id);
    return 'ok';
  });

  // Slack opens the link itself; the click still arrives and must be acked.
  onClick(HOME_ACTIONS.openThread, () => Promise.resolve('ok'));

  onClick(HOME_ACTIONS.unsnooze, async (body, client) => {
    const userId = body.user.id;
    const ref = decodeIncidentRef(body.actions[0]?.value);
    if (!ref.ok) {
      await publish(client, userId, copy.badButton(ref.reason));
      return 'stale_button';
    }
    if (!deps.watch) {
      await publish(client, userId);
      return 'refused';
    }
    const visible = await visibleRows(deps);
    const row = visible.find((r) => ref.ref.slot.startsWith(`${r.subscription.id}|`));
    if (!row) {
      log.warn({ user: userId, slot: ref.ref.slot }, 'unsnooze from Home refused: the watch is not visible to this user');
      await publish(client, userId, copy.notVisible);
      return 'denied';
    }
    const result = await deps.watch.unsnooze(ref.ref.slot, userId);
    const notice = result.ok ? buildUnsnoozed({ snooze: result.snooze, channelId: row.subscription.channelId }).blocks : undefined;
    await publish(client, userId, result.ok ? sectionText(notice) : copy.notSnoozed);
    return result.ok ? 'ok' : 'stale_button';
  });

  onClick(HOME_ACTIONS.history, async (body, client) => {
    const decoded = decodeCursor(body.actions[0]?.value);
    if (!decoded.ok) {
      await publish(client, body.user.id, copy.badButton(decoded.reason));
      return 'stale_button';
    }
    const cursor = decoded.cursor;
    const resolved = resolveLeague(cursor.league, deps.leagues);
    // The channel the history is asked for: one whose watch on this league the person can see, so
    // the allow-list decides exactly as it did for the Home.
    const row = resolved.ok ? (await visibleRows(deps)).find((r) => r.subscription.leagueId === resolved.league.id) : undefined;
    let message: SlackMessage;
    let outcome: InteractionOutcome;
    if (!row) {
      message = { text: copy.historyDenied, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:no_entry_sign: ${copy.historyDenied}` } }] };
      outcome = 'denied';
    } else {
      ({ message, outcome } = await renderHistory(deps, cursor, { channelId: row.subscription.channelId, userId: body.user.id }));
    }
    await client.views.open({ trigger_id: body.trigger_id, view: historyModal(message, cursor.league) });
    return outcome;
  });
}

/** Every watch whose channel may query its league (every watch when TICS_ACCESS is unset). */
async function visibleRows(deps: SlackDeps): Promise<WatchListRow[]> {
  if (!deps.watch) return [];
  const rows = await deps.watch.list('all');
  return deps.access ? rows.filter((r) => deps.access!.allows(r.subscription.channelId, r.subscription.leagueId)) : rows;
}

async function buildFor(deps: SlackDeps, client: Client, userId: string, cache: Map<string, string>, log: Logger, notice?: string): Promise<HomeView> {
  const now = deps.now();
  const base = { now, intervalSeconds: deps.watch?.intervalSeconds ?? 0, restricted: deps.access?.restricted ?? false, simulated: deps.simulated, permalinks: cache };
  if (!deps.watch) return buildHomeView({ ...base, rows: [], snoozes: [], open: [], alerts: [], notice: copy.disabled });
  const rows = await withLeagueNames(deps, await visibleRows(deps));
  const ids = new Set(rows.map((r) => r.subscription.id));
  const [snoozes, activity] = await Promise.all([deps.watch.snoozes('all'), deps.watch.activity([...ids], now - RECENT_ALERTS_MS)]);
  await fetchPermalinks(client, incidentsShown(activity.open), cache, log);
  const view = buildHomeView({
    ...base,
    rows,
    snoozes: snoozes.filter((s) => ids.has(s.subscriptionId)),
    open: await withIncidentNames(deps, activity.open),
    alerts: await withLeagueNames(deps, activity.alerts),
    ...(notice === undefined ? {} : { notice }),
  });
  log.debug({ user: userId, summary: homeSummary({ rows, open: activity.open }), blocks: view.blocks.length }, 'Home view built');
  return view;
}

async function withIncidentNames(deps: SlackDeps, open: readonly IncidentView[]): Promise<IncidentView[]> {
  const named = await withLeagueNames(deps, open.map((view) => ({ league: view.incident.league, view })));
  return named.map(({ league, view }) => ({ ...view, incident: { ...view.incident, league } }));
}

/** The threads' links, each asked once; a failure only leaves that incident without its link button. */
async function fetchPermalinks(client: Client, shown: readonly IncidentView[], cache: Map<string, string>, log: Logger): Promise<void> {
  const wanted = shown
    .map(({ incident }) => (incident.parentTs === undefined ? undefined : { channel: incident.channelId, ts: incident.parentTs }))
    .filter((w): w is { channel: string; ts: string } => w !== undefined && !cache.has(permalinkKey(w.channel, w.ts)));
  await Promise.all(
    wanted.map(async ({ channel, ts }) => {
      try {
        const result = await client.chat.getPermalink({ channel, message_ts: ts });
        if (result.permalink) remember(cache, permalinkKey(channel, ts), result.permalink);
      } catch (error) {
        log.info({ channel, ts, err: error }, 'no permalink for an incident thread');
      }
    }),
  );
}

function remember(cache: Map<string, string>, key: string, url: string): void {
  cache.set(key, url);
  // Map iteration is insertion order: the first key is the oldest.
  if (cache.size > PERMALINKS_KEPT) cache.delete(cache.keys().next().value!);
}

function sectionText(blocks: SlackMessage['blocks'] | undefined): string | undefined {
  const first = blocks?.[0];
  return first?.type === 'section' && first.text ? first.text.text : undefined;
}

/**
 * The history page in a modal. Its buttons answer through a response_url, which a modal's clicks
 * do not carry: the modal is a read-only snapshot, and says where to page on.
 */
function historyModal(message: SlackMessage, league: string): Parameters<Client['views']['open']>[0]['view'] {
  const blocks: types.KnownBlock[] = message.blocks
    .filter((b) => b.type !== 'actions')
    .map((b) => {
      if (b.type !== 'section' || !b.accessory || 'url' in b.accessory) return b;
      const { accessory: _button, ...rest } = b;
      return rest;
    })
    .slice(0, MODAL_MAX_BLOCKS - 1);
  blocks.push(mrkdwnContext(copy.snapshot(escapeMrkdwn(league))));
  return { type: 'modal', title: { type: 'plain_text', text: copy.modalTitle }, close: { type: 'plain_text', text: copy.modalClose }, blocks };
}
