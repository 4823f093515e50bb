/**
 * App Home over the real bot in both modes: opening the Home tab (an Events API `app_home_opened`,
 * signed JSON in HTTP mode, an `events_api` envelope in Socket Mode) publishes that person's view
 * with the watch, its health and the open incident a failing job made; Refresh republishes; the
 * thread link is Slack's permalink (asked once); Unsnooze ends the snooze; History opens a modal;
 * a league no channel may query under TICS_ACCESS never appears.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HOME_ACTIONS } from '../../../src/slack/views/home.js';
import { INCIDENT_ACTIONS } from '../../../src/slack/views/incident.js';
import { IncidentStore } from '../../../src/watch/incidents/store.js';
import { SubscriptionRegistry } from '../../../src/watch/subscriptions.js';
import { allText, forEachMode, type SlackBody } from '../../helpers/bot-harness.js';
import { appHomeOpenedBody, clickInView, openHome, viewButtons } from '../../helpers/slack-events.js';
import { expectNoErrorLogs, expectOnlyInjectedRefusals, putInstance, startWatchHarness, type WatchHarness } from './watch-harness.js';

const CHAN = 'C0HOMECHAN1';
const SECRET_CHAN = 'C0SECRETCH2';
const LEAGUE = 'leagueHomeTab001';
const SECRET = 'leagueSecret0002';
const USER = 'U0HOMEUSER1';

forEachMode((mode) => {
  describe('App Home', () => {
    let h: WatchHarness;

    const publishes = () => h.slack.callsTo('views.publish');
    /** Waits for publish number `n` (1-based) and returns its view. */
    const published = async (n: number): Promise<SlackBody> => {
      const calls = await h.slack.waitForCalls('views.publish', n);
      const call = calls[n - 1]!;
      expect(call.response.ok, JSON.stringify(call.response)).toBe(true);
      expect(call.args.user_id).toBe(USER);
      return call.response.view as SlackBody;
    };

    beforeAll(async () => {
      h = await startWatchHarness({
        mode,
        leagues: { hometab: LEAGUE, secret: SECRET },
        env: {
          // SECRET is watched by configuration in a channel that may not query it: nobody's Home shows it.
          TICS_WATCH: `secret:${SECRET_CHAN}`,
          TICS_ACCESS: `${CHAN}:hometab;${SECRET_CHAN}:hometab`,
        },
      });
      h.sim.world.addLeague(SECRET);
    });
    afterEach(() => h.assertInvariants());
    afterAll(async () => {
      expectNoErrorLogs(h);
      await h?.close();
    });

    it('opening Home publishes the watches the person may see, and no other', async () => {
      const job = putInstance(h, LEAGUE, 'train-home', { status: 'RUNNING' }, 1);
      await h.ask('watch hometab', { channelId: CHAN });
      await h.cycle();
      h.sim.world.setStatus(LEAGUE, job.id, 'FAILED');
      await h.cycle();
      expect(h.alertsSince(0)).toHaveLength(1);

      const sent = await openHome(h, USER);
      expect(sent.status).toBe(200);
      const view = await published(1);
      expect(view.type).toBe('home');
      const text = allText(view);
      expect(text).toContain('hometab');
      expect(text).toContain(`<#${CHAN}>`);
      expect(text).toContain(':white_check_mark: last poll');
      // The open incident, its state and its last failure.
      expect(text).toContain('*train-home*');
      expect(text).toContain(':rotating_light: *open*, not acknowledged');
      expect(text).toContain(`last failure: *FAILED* \`${job.id}\``);
      expect(text).toMatch(/• \*hometab\*: 1 alert/);
      // The configured watch of a league its channel may not query: it exists, and is not there in any form.
      expect((await new SubscriptionRegistry(h.bot.store).list()).map((s) => s.leagueId)).toContain(SECRET);
      expect(text).not.toContain('secret');
      expect(JSON.stringify(view)).not.toContain(SECRET);
      expect(JSON.stringify(view)).not.toContain(SECRET_CHAN);
    });

    it('links the incident thread with its permalink, asked of Slack once', async () => {
      const view = await published(1);
      const parent = h.alertsSince(0)[0]!;
      const link = viewButtons(view).find((b) => b.actionId === HOME_ACTIONS.openThread);
      const permalinks = h.slack.callsTo('chat.getPermalink');
      expect(permalinks).toHaveLength(1);
      expect(permalinks[0]!.args).toMatchObject({ channel: CHAN, message_ts: parent.response.ts });
      expect(link?.url).toBe(permalinks[0]!.response.permalink);
    });

    it('only the Home tab publishes: opening the Messages tab does not', async () => {
      const before = publishes().length;
      await openHome(h, USER, 'messages');
      await h.cycle(0);
      expect(publishes()).toHaveLength(before);
    });

    it('Refresh republishes for the person who clicked, without asking for the permalink again', async () => {
      const view = await published(1);
      const n = publishes().length;
      await clickInView(h, view, HOME_ACTIONS.refresh, USER);
      const again = await published(n + 1);
      expect(allText(again)).toContain('*train-home*');
      expect(h.slack.callsTo('chat.getPermalink')).toHaveLength(1);
    });

    it('shows a snooze with an Unsnooze button that ends it and says so', async () => {
      const parent = h.alertsSince(0)[0]!;
      await h.press(parent.args, INCIDENT_ACTIONS.snoozeUntilSuccess, { channelId: CHAN, userId: 'U0SNOOZER1' });
      const incidents = new IncidentStore(h.bot.store, h.clock.now);
      await expect.poll(async () => (await incidents.snoozes()).length).toBe(1);

      const before = publishes().length;
      await openHome(h, USER);
      const snoozed = await published(before + 1);
      expect(allText(snoozed)).toContain(':zzz: *snoozed* until it succeeds, by <@U0SNOOZER1>');
      expect(viewButtons(snoozed).map((b) => b.actionId)).toContain(HOME_ACTIONS.unsnooze);

      await clickInView(h, snoozed, HOME_ACTIONS.unsnooze, USER);
      const after = await published(before + 2);
      expect(allText(after)).toContain('Unsnoozed *train-home*');
      expect(allText(after)).toContain(':rotating_light: *open*');
      expect(viewButtons(after).map((b) => b.actionId)).not.toContain(HOME_ACTIONS.unsnooze);
      expect(await incidents.snoozes()).toEqual([]);

      // A second click on the stale view changes nothing and says so.
      await clickInView(h, snoozed, HOME_ACTIONS.unsnooze, USER);
      expect(allText(await published(before + 3))).toContain('That job was not snoozed any more');
    });

    it('still publishes when Slack gives no permalink, just without the link', async () => {
      const job = putInstance(h, LEAGUE, 'train-second', { status: 'RUNNING' }, 1);
      await h.cycle();
      h.sim.world.setStatus(LEAGUE, job.id, 'TERMINATED');
      await h.cycle();
      h.slack.injectFault('chat.getPermalink', { kind: 'error', error: 'message_not_found' });
      const before = publishes().length;
      await openHome(h, USER);
      const view = await published(before + 1);
      expect(allText(view)).toContain('*train-second*');
      expect(viewButtons(view).filter((b) => b.actionId === HOME_ACTIONS.openThread)).toHaveLength(1);
      expectOnlyInjectedRefusals(h, /refused chat\.getPermalink: .*message_not_found/);
      // Asked again on the next open, and linked then.
      await openHome(h, USER);
      expect(viewButtons(await published(before + 2)).filter((b) => b.actionId === HOME_ACTIONS.openThread)).toHaveLength(2);
    });

    it.runIf(mode === 'http')('refuses an unsigned app_home_opened, publishing nothing', async () => {
      const before = publishes().length;
      const raw = JSON.stringify(appHomeOpenedBody(USER));
      const res = await fetch(h.eventsUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw });
      expect(res.status).toBe(401);
      await h.cycle(0);
      expect(publishes()).toHaveLength(before);
    });

    it('History opens the job’s first page in a modal', async () => {
      const view = await published(publishes().length);
      const before = h.slack.callsTo('views.open').length;
      const nth = viewButtons(view)
        .filter((b) => b.actionId === HOME_ACTIONS.history)
        .findIndex((b) => b.value?.includes('"jobName":"train-home"'));
      expect(nth).toBeGreaterThanOrEqual(0);
      await clickInView(h, view, HOME_ACTIONS.history, USER, nth);
      const [open] = (await h.slack.waitForCalls('views.open', before + 1)).slice(before);
      expect(open!.response.ok, JSON.stringify(open!.response)).toBe(true);
      const modal = open!.args.view as SlackBody;
      expect(modal.type).toBe('modal');
      const text = allText(modal);
      expect(text).toContain('train-home');
      expect(text).toContain('`/tics history hometab`');
      // Its buttons would need a response_url, which clicks in a modal do not carry.
      expect(viewButtons(modal)).toEqual([]);
    });
  });
});
