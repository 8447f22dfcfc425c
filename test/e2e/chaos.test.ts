// Chaos, sized for CI: many separate clients against one broker while clients, whole client process groups and the
// broker are SIGKILLed at random and the broker is stopped (SIGSTOP) for a while. Whatever happens, no limit is
// broken, no call is lost or run twice, no client waits without bound, and every run without limits is announced.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import { BIN, runCli } from '../fixtures/cli.js';
import { brokerPid, isRunning, maxConcurrency, runs, setup } from '../fixtures/limits.js';

const CALLS = 150;
const POOL = 40;
const LIMIT = 3;
/** No client may take longer than this, whatever was done to the broker. */
const CLIENT_BOUND_MS = 60_000;

interface Client {
	readonly name: string;
	readonly child: ChildProcess;
	readonly started: number;
	stderr: string;
	exitCode?: number | null;
	ended?: number;
	killed?: 'client' | 'group';
}

const clients: Client[] = [];
afterEach(() => {
	for (const client of clients.splice(0)) if (client.ended === undefined) client.child.kill('SIGKILL');
});

/** A small seeded generator (mulberry32), so that a failing run can be replayed. */
function random(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

it(`${CALLS} calls, ≤ ${POOL} clients at once, random SIGKILLs of clients, process groups and the broker, and a SIGSTOP of the broker`, async () => {
	const seed = Number(process.env['CHAOS_SEED'] ?? 20261203);
	const next = random(seed);
	const { home, log, env } = setup({
		SAFE_DOCKER_LANES_MUTATE_MAX_CONCURRENT: String(LIMIT),
		SAFE_DOCKER_LANES_MUTATE_MIN_TIME_MS: '0',
		SAFE_DOCKER_BROKER_IDLE_TIMEOUT_MS: '30000',
	});
	const launch = (index: number) => {
		const name = `c${index}`;
		// Its own process group, so that the group (the client and its docker) can be killed at once.
		const child = spawn(process.execPath, [BIN, 'run', '-d', name], {
			env: { ...env, FAKE_DOCKER_SLEEP: (0.05 + next() * 0.25).toFixed(2) },
			stdio: ['ignore', 'ignore', 'pipe'],
			detached: true,
		});
		const client: Client = { name, child, started: Date.now(), stderr: '' };
		child.stderr!.on('data', chunk => {
			client.stderr += chunk;
		});
		child.on('exit', code => {
			client.exitCode = code;
			client.ended = Date.now();
		});
		clients.push(client);
	};

	let launched = 0;
	let brokerKilled = false;
	let brokerStopped = false;
	while (launched < CALLS || clients.some(client => client.ended === undefined)) {
		while (launched < CALLS && clients.filter(client => client.ended === undefined).length < POOL) launch(launched++);
		await sleep(100);
		const live = clients.filter(client => client.ended === undefined && client.killed === undefined);
		const roll = next();
		if (roll < 0.06 && live.length > 0) {
			const victim = live[Math.floor(next() * live.length)]!;
			victim.killed = 'client';
			victim.child.kill('SIGKILL');
		} else if (roll < 0.09 && live.length > 0) {
			const victim = live[Math.floor(next() * live.length)]!;
			victim.killed = 'group';
			process.kill(-victim.child.pid!, 'SIGKILL');
		} else if (!brokerKilled && launched > CALLS / 3) {
			brokerKilled = true;
			process.kill(brokerPid(home), 'SIGKILL');
		} else if (!brokerStopped && launched > (2 * CALLS) / 3) {
			brokerStopped = true;
			const pid = brokerPid(home);
			process.kill(pid, 'SIGSTOP');
			await sleep(4000); // past the 3 s a broker has to answer a hello
			process.kill(pid, 'SIGCONT');
		}
	}
	expect(brokerKilled && brokerStopped).toBe(true);

	const all = runs(log);
	const ranOf = (client: Client) => all.filter(run => run.args === `run -d ${client.name}`);
	const survivors = clients.filter(client => client.killed === undefined);
	const unlimited = survivors.filter(client => /running without cross-process limits/.test(client.stderr));
	const report = `seed ${seed}: ${survivors.length} survivors, ${clients.length - survivors.length} killed, ${unlimited.length} announced unlimited`;

	// No client over the bound, and every surviving call ran exactly once (none lost, none run twice).
	for (const client of clients) expect(client.ended! - client.started, `${client.name} (${report})`).toBeLessThan(CLIENT_BOUND_MS);
	for (const client of survivors) {
		expect(client.exitCode, `${client.name}: ${client.stderr} (${report})`).toBe(0);
		expect(ranOf(client), `${client.name} (${report})`).toHaveLength(1);
	}
	for (const client of clients.filter(client => client.killed !== undefined)) expect(ranOf(client).length).toBeLessThanOrEqual(1);

	// Never more than the limit at once among the calls that held a slot; an unlimited run is always announced and counted.
	const limited = new Set(survivors.filter(client => !unlimited.includes(client)).map(client => `run -d ${client.name}`));
	expect(maxConcurrency(all.filter(run => limited.has(run.args))), report).toBeLessThanOrEqual(LIMIT);
	const auditLog = join(home, 'audit.log');
	const audited = existsSync(auditLog) ? (readFileSync(auditLog, 'utf8').match(/"decision":"unlimited"/g)?.length ?? 0) : 0;
	expect(audited, report).toBeGreaterThanOrEqual(unlimited.length);
	for (const client of survivors) {
		if (!unlimited.includes(client)) expect(client.stderr, client.name).not.toMatch(/without cross-process limits/);
	}
	expect(isRunning(brokerPid(home)), report).toBe(true);
	// Every call that held a slot is counted, across a broker killed and one stopped: each is saved before its client
	// exits, and an outcome a dying broker never read goes to the next one. (A client killed just after its release counts too.)
	const stats = JSON.parse((await runCli(['guard', 'stats', '--json'], { env })).stdout);
	expect(stats.totalCalls, report).toBeGreaterThanOrEqual(limited.size);
	expect(stats.totalCalls, report).toBeLessThanOrEqual(limited.size + clients.length - survivors.length);
}, 240_000);
