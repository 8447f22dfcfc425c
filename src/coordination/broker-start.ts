import { spawn } from 'node:child_process';
import { lstatSync, openSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { maxConcurrentOf } from '../config/lane-profile.js';
import { ensureStateDir } from '../config/paths.js';
import { LANES } from '../docker-grammar/lanes.js';
import { BrokerUnavailable } from '../errors.js';
import { acquireLock } from '../lock/acquire.js';
import type { BrokerOptions } from './broker-options.js';

/** What a client passes to a broker it starts (the first client's settings hold until the broker restarts). */
export type BrokerSettings = Pick<
	BrokerOptions,
	'stateDir' | 'version' | 'lanes' | 'breaker' | 'fleet' | 'probeTimeoutMs' | 'idleTimeoutMs'
> & {
	/** How long to wait for a freshly started broker to listen. */
	readonly startTimeoutMs?: number;
};

/** The start lock's holder is judged by its process; a holder that left no record is stale after this long. */
const START_LOCK_STALE_MS = 2000;

/**
 * Starts this state directory's broker and connects to it. One starter at a time (50 calls racing here start one
 * broker): the start lock is an environment lock, so a starter that died is seen dead by its pid at once, whatever
 * its lock's mtime says.
 */
export async function startBroker<Connection>(
	settings: BrokerSettings,
	socketPath: string,
	tryConnect: (socketPath: string) => Promise<Connection | undefined>,
): Promise<Connection> {
	const startTimeoutMs = settings.startTimeoutMs ?? 5000;
	const log = join(settings.stateDir, 'broker.log');
	let lock: Awaited<ReturnType<typeof acquireLock>>;
	try {
		lock = await acquireLock({
			dir: settings.stateDir,
			env: 'broker-start',
			command: 'start the broker',
			reason: null,
			timeoutMs: startTimeoutMs + 1000,
			staleMs: START_LOCK_STALE_MS,
			pollMs: 20,
		});
	} catch (error) {
		throw new BrokerUnavailable(`cannot take the broker start-up lock: ${(error as Error).message}`, 'unstartable', { cause: error });
	}
	try {
		const existing = await tryConnect(socketPath);
		if (existing) return existing;
		// A socket file nobody answers on was left by a broker that died: its clients will re-announce.
		const brokerDied = clearSocketPath(socketPath);
		const output = openSync(log, 'a', 0o600);
		const child = spawn(process.execPath, [fileURLToPath(new URL('./broker.js', import.meta.url))], {
			detached: true,
			stdio: ['ignore', output, output],
			env: {
				...process.env,
				SAFE_DOCKER_BROKER: JSON.stringify({
					socketPath,
					stateDir: settings.stateDir,
					version: settings.version,
					lanes: settings.lanes,
					breaker: settings.breaker,
					fleet: settings.fleet,
					probeTimeoutMs: settings.probeTimeoutMs,
					idleTimeoutMs: settings.idleTimeoutMs,
					reannounceGraceMs: brokerDied
						? 2000 + Math.max(...LANES.map(lane => maxConcurrentOf(settings.lanes, lane) * settings.lanes[lane].minTimeMs))
						: 0,
				}),
			},
		});
		child.unref();
		const deadline = Date.now() + startTimeoutMs;
		while (Date.now() < deadline) {
			const connection = await tryConnect(socketPath);
			if (connection) return connection;
			// A broker killed at start has a signal and no exit code.
			if (child.exitCode !== null || child.signalCode !== null)
				throw new BrokerUnavailable(`the broker exited at start (${child.signalCode ?? `code ${child.exitCode}`}); see ${log}`);
			await sleep(15);
		}
		throw new BrokerUnavailable(`the broker did not listen within ${startTimeoutMs} ms; see ${log}`);
	} finally {
		await lock.release().catch(() => undefined);
	}
}

/**
 * Makes room for the new broker's socket; true when a dead broker's socket was there. The directory of a socket
 * outside the state directory (a short path for a deep state directory) is made private first.
 */
function clearSocketPath(socketPath: string): boolean {
	try {
		ensureStateDir(dirname(socketPath));
	} catch (error) {
		throw new BrokerUnavailable(`cannot use ${dirname(socketPath)} for the broker's socket: ${(error as Error).message}`);
	}
	let stat: ReturnType<typeof lstatSync>;
	try {
		stat = lstatSync(socketPath);
	} catch {
		return false;
	}
	// A directory is someone's data: say so rather than remove it. A symlink or a stray file is replaced (unlink never follows).
	if (stat.isDirectory()) throw new BrokerUnavailable(`${socketPath} is a directory, where the broker's socket belongs; remove it`);
	rmSync(socketPath, { force: true });
	return stat.isSocket();
}
