import { spawn } from 'node:child_process';
import { existsSync, openSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { BrokerUnavailable } from '../errors.js';
import { loadProperLockfile } from '../system/proper-lockfile.js';
import type { BrokerOptions } from './broker-server.js';
import { brokerSocketPath } from './paths.js';
import { type BrokerMessage, type ClientMessage, encode, lineReader, type StatsSnapshot } from './protocol.js';

/** What a client passes to a broker it starts (the first client's settings hold until the broker restarts). */
export type BrokerSettings = Pick<BrokerOptions, 'stateDir' | 'version' | 'lanes' | 'breaker' | 'probeTimeoutMs' | 'idleTimeoutMs'> & {
	/** How long to wait for a freshly started broker to listen. */
	readonly startTimeoutMs?: number;
};

/** An open connection to the broker. */
export interface BrokerConnection {
	readonly socket: Socket;
	send(message: ClientMessage): void;
	/** The next message of one of these types (rejects if the connection closes first). */
	next<T extends BrokerMessage['type']>(...types: T[]): Promise<Extract<BrokerMessage, { type: T }>>;
	onMessage(listener: (message: BrokerMessage) => void): void;
	close(): void;
}

/** Connects to this state directory's broker, starting one if none answers, and says hello. */
export async function connectBroker(settings: BrokerSettings, then?: ClientMessage): Promise<BrokerConnection> {
	for (let attempt = 0; attempt < 3; attempt++) {
		const connection = (await tryConnect(brokerSocketPath(settings.stateDir))) ?? (await startAndConnect(settings));
		const reply = connection.next('welcome', 'mismatch');
		connection.send({ type: 'hello', version: settings.version });
		// Sent at once, not after the welcome: one round trip less on every docker call.
		if (then) connection.send(then);
		if ((await reply).type === 'welcome') return connection;
		connection.close(); // an older (or newer) install's broker: it retires, we start ours
		await sleep(50);
	}
	throw new BrokerUnavailable('the broker kept answering with another version');
}

/** How long a running broker may take to answer a status query, reset or stop before it counts as unavailable. */
const REPLY_TIMEOUT_MS = 3000;

/** The running broker, if one answers; never starts one. */
async function connectExisting(stateDir: string): Promise<{ connection: BrokerConnection; pid: number; version: string } | undefined> {
	const connection = await tryConnect(brokerSocketPath(stateDir));
	if (!connection) return undefined;
	connection.send({ type: 'hello', version: null });
	try {
		const reply = await within(connection.next('welcome'), connection);
		return { connection, pid: reply.pid, version: reply.version };
	} catch (error) {
		connection.close();
		if (error instanceof BrokerUnavailable && error.detail.startsWith('the broker did not answer')) throw error;
		return undefined; // it closed the connection: it was stopping
	}
}

/** What `guard stats`, `guard broker status` and `guard health` read of a running broker. */
export interface BrokerStatus {
	readonly pid: number;
	readonly version: string;
	readonly stats: StatsSnapshot;
}

/** The running broker's status and statistics, or undefined when none runs. */
export async function brokerStatus(stateDir: string): Promise<BrokerStatus | undefined> {
	const live = await connectExisting(stateDir);
	if (!live) return undefined;
	try {
		live.connection.send({ type: 'stats' });
		const { stats } = await within(live.connection.next('stats'), live.connection);
		return { pid: live.pid, version: live.version, stats };
	} finally {
		live.connection.close();
	}
}

/** Asks the running broker to reset its statistics or to stop; resolves to its pid, or undefined when none runs. */
export async function tellBroker(stateDir: string, type: 'reset' | 'stop'): Promise<number | undefined> {
	const live = await connectExisting(stateDir);
	if (!live) return undefined;
	try {
		const acknowledged = live.connection.next('ok');
		live.connection.send({ type });
		// A broker told to stop may close the connection before its `ok` arrives: it stopped all the same.
		await within(acknowledged, live.connection).catch(error => {
			if (type !== 'stop' || !(error instanceof BrokerUnavailable) || error.detail.startsWith('the broker did not answer')) throw error;
		});
		return live.pid;
	} finally {
		live.connection.close();
	}
}

/** `reply`, or a BrokerUnavailable once the broker has not answered for REPLY_TIMEOUT_MS (a stopped or wedged broker). */
function within<T>(reply: Promise<T>, connection: BrokerConnection): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const deadline = new Promise<never>((_, reject) => {
		timer = setTimeout(() => {
			connection.socket.destroy();
			reject(new BrokerUnavailable(`the broker did not answer within ${REPLY_TIMEOUT_MS / 1000} s`));
		}, REPLY_TIMEOUT_MS);
	});
	return Promise.race([reply, deadline]).finally(() => clearTimeout(timer));
}

async function startAndConnect(settings: BrokerSettings): Promise<BrokerConnection> {
	const socketPath = brokerSocketPath(settings.stateDir);
	// One starter at a time: 50 calls racing here start one broker.
	let release: () => Promise<void>;
	try {
		const { lock } = await loadProperLockfile();
		release = await lock(join(settings.stateDir, 'broker'), {
			realpath: false,
			lockfilePath: join(settings.stateDir, 'broker.start.lock'),
			stale: 10_000,
			retries: { retries: 200, minTimeout: 20, maxTimeout: 60 },
			onCompromised: () => undefined,
		});
	} catch (error) {
		throw new BrokerUnavailable(`cannot take the broker start-up lock: ${(error as Error).message}`, { cause: error });
	}
	try {
		const existing = await tryConnect(socketPath);
		if (existing) return existing;
		// A socket file nobody answers on was left by a broker that died: its clients will re-announce.
		const brokerDied = existsSync(socketPath);
		rmSync(socketPath, { force: true });
		const log = openSync(join(settings.stateDir, 'broker.log'), 'a', 0o600);
		const child = spawn(process.execPath, [fileURLToPath(new URL('./broker.js', import.meta.url))], {
			detached: true,
			stdio: ['ignore', log, log],
			env: {
				...process.env,
				SAFE_DOCKER_BROKER: JSON.stringify({
					socketPath,
					stateDir: settings.stateDir,
					version: settings.version,
					lanes: settings.lanes,
					breaker: settings.breaker,
					probeTimeoutMs: settings.probeTimeoutMs,
					idleTimeoutMs: settings.idleTimeoutMs,
					reannounceGraceMs: brokerDied
						? 1000 + Math.max(...Object.values(settings.lanes).map(lane => lane.maxConcurrent * lane.minTimeMs))
						: 0,
				}),
			},
		});
		child.unref();
		const deadline = Date.now() + (settings.startTimeoutMs ?? 5000);
		while (Date.now() < deadline) {
			const connection = await tryConnect(socketPath);
			if (connection) return connection;
			if (child.exitCode !== null)
				throw new BrokerUnavailable(`the broker exited at start (code ${child.exitCode}); see ${join(settings.stateDir, 'broker.log')}`);
			await sleep(15);
		}
		throw new BrokerUnavailable(
			`the broker did not listen within ${settings.startTimeoutMs ?? 5000} ms; see ${join(settings.stateDir, 'broker.log')}`,
		);
	} finally {
		await release().catch(() => undefined);
	}
}

function tryConnect(socketPath: string): Promise<BrokerConnection | undefined> {
	return new Promise(resolve => {
		const socket = connect(socketPath);
		socket.once('connect', () => resolve(wrap(socket)));
		socket.once('error', () => resolve(undefined));
	});
}

function wrap(socket: Socket): BrokerConnection {
	const observers = new Set<(message: BrokerMessage) => void>();
	const waiters: Array<{ types: readonly string[]; deliver: (message: BrokerMessage) => void }> = [];
	// Messages nobody waited for yet: a grant can arrive in the same chunk as the welcome before it.
	const backlog: BrokerMessage[] = [];
	socket.on(
		'data',
		lineReader<BrokerMessage>(message => {
			for (const observer of [...observers]) observer(message);
			const waiter = waiters.findIndex(candidate => candidate.types.includes(message.type));
			if (waiter === -1) backlog.push(message);
			else waiters.splice(waiter, 1)[0]!.deliver(message);
		}),
	);
	socket.on('error', () => undefined);
	return {
		socket,
		send: message => {
			if (!socket.destroyed) socket.write(encode(message));
		},
		next: (...types) =>
			new Promise((resolve, reject) => {
				const waiting = backlog.findIndex(message => (types as string[]).includes(message.type));
				if (waiting !== -1) return resolve(backlog.splice(waiting, 1)[0] as never);
				if (socket.destroyed) return reject(new BrokerUnavailable('the broker closed the connection'));
				const onClose = () => {
					const index = waiters.indexOf(entry);
					if (index !== -1) waiters.splice(index, 1);
					reject(new BrokerUnavailable('the broker closed the connection'));
				};
				const entry = {
					types,
					deliver: (message: BrokerMessage) => {
						socket.off('close', onClose);
						resolve(message as never);
					},
				};
				waiters.push(entry);
				socket.once('close', onClose);
			}),
		onMessage: observer => {
			observers.add(observer);
			for (const message of backlog) observer(message);
		},
		close: () => socket.end(),
	};
}
