// Hosts configured with different limits share one daemon: the strictest holds fleet-wide, whichever host asks.
// Real redis-server; the hosts are lane schedulers with fleet permits in this process (see fixtures/fleet-hosts.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeFleet, fleetMetrics } from '../../src/fleet/describe-fleet.js';
import { readFleetStatus } from '../../src/fleet/fleet-status.js';
import { permitKeys } from '../../src/fleet/permit-scripts.js';
import { closeFleetHosts, DAEMON, type FleetHost, fleetOf } from '../fixtures/fleet-hosts.js';
import { type RedisServer, requireRedis, startRedis, stopAllRedis } from '../fixtures/redis.js';

/** Whether the request is granted within `ms`. */
async function grantedWithin(request: Promise<unknown>, ms: number): Promise<boolean> {
	return Promise.race([request.then(() => true), sleep(ms).then(() => false)]);
}

/** Grant times on Redis's clock (ms), from a host's trace. */
const grantTimes = (host: FleetHost) => host.log.filter(line => line.startsWith('fleet grant ')).map(line => Number(line.split(' ')[2]));

describe.runIf(requireRedis())('fleet limits (real redis-server)', () => {
	let redis: RedisServer;
	beforeAll(async () => {
		redis = await startRedis();
	});
	afterAll(stopAllRedis);
	afterEach(closeFleetHosts);

	it("the strictest host's limit holds for every host's calls; it is said in the log, and lifted when that host stops", async () => {
		const [strict, loose] = await fleetOf(2, i => ({ url: redis.url, limit: i === 0 ? 1 : 3 }));
		(await strict!.request('strict-call')).ticket.release();
		const first = await loose!.request('l1');
		const second = loose!.request('l2');
		const third = loose!.request('l3');
		// Its own limit is 3; the fleet's is 1 (without it, the loose host would run all three at once).
		expect(await grantedWithin(second, 400)).toBe(false);
		expect(loose!.permits.fleetLimit(first.ticket)).toBe(1);
		expect(loose!.log).toContain(
			"fleet mutate: 1 at once fleet-wide, the strictest limit of the hosts that use this daemon (this host's own: 3)",
		);
		await strict!.permits.close();
		// The strict host withdrew its word: the loose host's own limit holds, and it is woken by the withdrawal (else only
		// when the first word said would lapse: 2 to 3 s away with a 3 s lease, renewed every second).
		expect(await grantedWithin(Promise.all([second, third]), 1500)).toBe(true);
		expect(loose!.scheduler.running('mutate').map(ticket => ticket.label)).toEqual(['l1', 'l2', 'l3']);
	});

	it('the longest spacing any host is configured with holds between every start, on Redis clock', async () => {
		const [patient, eager] = await fleetOf(2, i => ({ url: redis.url, limit: 5, spacingMs: i === 0 ? 250 : 0 }));
		(await patient!.request('p')).ticket.release();
		const calls = await Promise.all(Array.from({ length: 4 }, (_, i) => eager!.request(`e${i}`)));
		for (const call of calls) call.ticket.release();
		const starts = [...grantTimes(patient!), ...grantTimes(eager!)].sort((x, y) => x - y);
		expect(starts).toHaveLength(5);
		const gaps = starts.slice(1).map((at, i) => at - starts[i]!);
		expect(Math.min(...gaps)).toBeGreaterThanOrEqual(250);
	});

	it("a dead host's word lapses with its lease: the others' limits hold again without it", async () => {
		const leaseMs = 1500;
		const [dying, alive] = await fleetOf(2, i => ({ url: redis.url, limit: i === 0 ? 1 : 2, leaseMs }));
		(await dying!.request('d')).ticket.release();
		const first = await alive!.request('a1');
		expect(alive!.permits.fleetLimit(first.ticket)).toBe(1);
		// When its word lapses, by Redis's clock, unless it says it again; then it dies: no renewal, no withdrawal.
		const { saidx } = permitKeys(alive!.permits.baseOf(DAEMON, 'mutate'));
		const lapses = Number(redis.cli('ZSCORE', saidx, 'host0'));
		dying!.scheduler.close();
		dying!.link.close();
		const diedAt = Date.now();
		const second = await alive!.request('a2');
		expect(alive!.permits.fleetLimit(second.ticket)).toBe(2);
		expect(grantTimes(alive!).at(-1)!).toBeGreaterThanOrEqual(lapses);
		// Were its word kept, a2 would wait behind a1 (renewed all along) for ever.
		expect(Date.now() - diedAt).toBeLessThan(leaseMs + 3000);
	});

	it("an adaptive host's learned limit counts among the strictest, at once, on the daemons it calls; withdrawn when it stops", async () => {
		let learned = 3;
		const [learner, other] = await fleetOf(2, i =>
			i === 0 ? { url: redis.url, adaptive: true, policy: { limit: () => learned, spacingMs: () => 0 } } : { url: redis.url, limit: 3 },
		);
		(await learner!.request('learn')).ticket.release();
		const calls = await Promise.all([other!.request('h1'), other!.request('h2'), other!.request('h3')]);
		expect(other!.permits.fleetLimit(calls[0]!.ticket)).toBe(3);
		for (const call of calls) call.ticket.release();
		// Its controller learned that the daemon takes one call at a time.
		learned = 1;
		learner!.permits.limitChanged('mutate');
		const { said } = permitKeys(learner!.permits.baseOf(DAEMON, 'mutate'));
		for (let i = 0; i < 100 && redis.cli('HGET', said, 'host0') !== '1 0 learned'; i++) await sleep(20);
		expect(redis.cli('HGET', said, 'host0')).toBe('1 0 learned');
		const first = await other!.request('h4');
		expect(other!.permits.fleetLimit(first.ticket)).toBe(1);
		const held = other!.request('h5');
		expect(await grantedWithin(held, 400)).toBe(false);
		// Another daemon: not one it calls.
		const elsewhere = 'tcp://build-vm:2376';
		expect(await grantedWithin(Promise.all([other!.request('x1', elsewhere), other!.request('x2', elsewhere)]), 3000)).toBe(true);
		// Stopped: its word is withdrawn, and the waiter is woken by that.
		await learner!.permits.close();
		expect(await grantedWithin(held, 1500)).toBe(true);
	});

	it('a host that stops while its call is still joining the queue says nothing after its withdrawal', async () => {
		const [quitter] = await fleetOf(1, { url: redis.url, limit: 1 });
		const { said } = permitKeys(quitter!.permits.baseOf(DAEMON, 'mutate'));
		void quitter!.request('q');
		await quitter!.permits.close();
		await sleep(300);
		expect(redis.cli('HGETALL', said)).toBe('');
	});

	it('guard broker status shows the fleet limit of each daemon this host calls and, when hosts differ, what each said', async () => {
		const [a, b, c] = await fleetOf(3, i => ({ url: redis.url, limit: [2, 4, 7][i]!, spacingMs: i === 1 ? 100 : 0 }));
		(await a!.request('a')).ticket.release();
		(await b!.request('b')).ticket.release();
		(await c!.request('c', 'tcp://other:2376')).ticket.release();
		const prefix = a!.permits.baseOf(DAEMON, 'mutate').split(':{')[0]!;
		const status = await readFleetStatus(a!.link, prefix, 'host0', a!.permits.endpoints());
		// Only the daemon a calls: c's daemon, and its limit of 7, are not a's business.
		expect(status.limits).toEqual([
			{
				lane: 'mutate',
				endpoint: DAEMON,
				limit: 2,
				spacingMs: 100,
				said: expect.arrayContaining([
					{ id: 'host0', limit: 2, spacingMs: 0, learned: false },
					{ id: 'host1', limit: 4, spacingMs: 100, learned: false },
				]),
			},
		]);
		expect(status.limits[0]!.said).toHaveLength(2);
		const line = describeFleet(status).find(text => text.startsWith('fleet limit'))!;
		expect(line).toMatch(
			new RegExp(`^fleet limit {4}mutate on ${DAEMON}: 2 at once, 100 ms apart, the strictest of: host[01] .+; host[01] .+$`),
		);
		expect(line).toContain('host0 2 at once, 0 ms');
		expect(line).toContain('host1 4 at once, 100 ms');
		const metric = fleetMetrics(status).find(([name]) => name === 'safe_docker_fleet_limit')!;
		expect(metric[3]).toEqual([[`{lane="mutate",endpoint="${DAEMON}"}`, 2]]);
	});
});
