import { lstatSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { BrokerUnavailable } from '../errors.js';
import { type BrokerSettings, startBroker } from './broker-start.js';
import { brokerSocketPath } from './paths.js';
import { type BrokerMessage, type ClientMessage, encode, lineReader } from './protocol.js';

/** How long a broker may take to answer a hello, a status query, a reset or a stop before it counts as unavailable. */
const REPLY_TIMEOUT_MS = 3000;

/** An open connection to the broker. */
export interface BrokerConnection {
	readonly socket: Socket;
	send(message: ClientMessage): void;
	/** The next message of one of these types (rejects if the connection closes first). */
	next<T extends BrokerMessage['type']>(...types: T[]): Promise<Extract<BrokerMessage, { type: T }>>;
	onMessage(listener: (message: BrokerMessage) => void): void;
	close(): void;
}

/** Connects to this state directory's broker, starting one if none answers, and says hello (then `then`, at once). */
export async function connectBroker(settings: BrokerSettings, then?: ClientMessage): Promise<BrokerConnection> {
	const socketPath = brokerSocketPath(settings.stateDir);
	for (let attempt = 0; attempt < 3; attempt++) {
		const connection = (await tryConnect(socketPath)) ?? (await startBroker(settings, socketPath, tryConnect));
		const reply = within(connection.next('welcome', 'mismatch'), connection);
		connection.send({ type: 'hello', version: settings.version });
		// Sent at once, not after the welcome: one round trip less on every docker call.
		if (then) connection.send(then);
		if ((await reply).type === 'welcome') return connection;
		connection.close(); // an older (or newer) install's broker: it retires, we start ours
		await sleep(50);
	}
	throw new BrokerUnavailable('the broker kept answering with another version');
}

/** `reply`, or a `silent` BrokerUnavailable once the broker has not answered for REPLY_TIMEOUT_MS. */
export function within<T>(reply: Promise<T>, connection: BrokerConnection, timeoutMs = REPLY_TIMEOUT_MS): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const deadline = new Promise<never>((_, reject) => {
		timer = setTimeout(() => {
			reject(new BrokerUnavailable(`the broker did not answer within ${timeoutMs / 1000} s`, 'silent'));
			connection.socket.destroy();
		}, timeoutMs);
	});
	return Promise.race([reply, deadline]).finally(() => clearTimeout(timer));
}

/**
 * A connection to the socket at `socketPath`, if a broker of ours listens there. Only a socket file this user owns
 * is connected to: a symlink planted in its place could lead anywhere.
 */
export function tryConnect(socketPath: string): Promise<BrokerConnection | undefined> {
	if (process.platform !== 'win32') {
		try {
			const stat = lstatSync(socketPath);
			if (!stat.isSocket() || (process.getuid !== undefined && stat.uid !== process.getuid())) return Promise.resolve(undefined);
		} catch {
			return Promise.resolve(undefined);
		}
	}
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
				if (socket.destroyed) return reject(new BrokerUnavailable('the broker closed the connection', 'closed'));
				const onClose = () => {
					const index = waiters.indexOf(entry);
					if (index !== -1) waiters.splice(index, 1);
					reject(new BrokerUnavailable('the broker closed the connection', 'closed'));
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
