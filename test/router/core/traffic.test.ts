/** The call counter is a plain number on the hot path; the metric reads it when scraped. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { metricsSnapshot } from '../../../process/metrics.js';
import { ALLOW_ALL } from '../../helpers/configs.js';
import { startTestRouter, wampyClient } from '../../helpers/router.js';

async function callsTotal(realm: string): Promise<number> {
  const metric = (await metricsSnapshot()).find((m) => m.name === 'xbr_wamp_calls_total');
  return metric?.values.find((v) => v.labels['realm'] === realm)?.value ?? 0;
}

it('xbr_wamp_calls_total counts every CALL of the realm, routed or refused, between scrapes and across them', async (t) => {
  const realm = 'traffic.counted';
  const router = await startTestRouter(
    {
      realms: [{ name: realm, roles: [{ name: 'anonymous', permissions: [{ uri: '', match: 'prefix', allow: ALLOW_ALL }] }] }],
      transports: [{ type: 'websocket', id: 'ws', endpoint: { type: 'tcp' }, serializers: ['json'] }],
    },
    { t },
  );
  const callee = await wampyClient(router.url('ws'), { realm, t });
  const caller = await wampyClient(router.url('ws'), { realm, t });
  await callee.wampy.register('com.echo', ({ argsList }) => ({ argsList: argsList ?? [] }));
  const before = await callsTotal(realm);
  for (let i = 0; i < 3; i++) await caller.wampy.call('com.echo', [i]);
  await assert.rejects(caller.wampy.call('com.missing', []));
  assert.equal(await callsTotal(realm), before + 4);
  await caller.wampy.call('com.echo', []);
  assert.equal(await callsTotal(realm), before + 5, 'a second scrape adds only what came since the first');
});
