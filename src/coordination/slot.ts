import { setTimeout as sleep } from 'node:timers/promises';
import { BreakerOpen, BrokerUnavailable, FleetUnavailable } from '../errors.js';
import type { BrokerSettings } from './broker-start.js';
import { type BrokerConnection, connectBroker } from './client.js';
import type { BrokerMessage, ClientMessage, ReportedOutcome, SlotRequest } from './protocol.js';

/** A granted slot, held until released (or until this process dies and its socket closes). */
export interface Slot {
	readonly waitedMs: number;
	/** Said with the grant, for stderr: e.g. that the fleet was out of reach and only this host's limits held. */
	readonly note?: string;
	/** Tells the broker that the daemon stopped answering while this call runs (it opens the daemon's breaker). */
	stall(detail: string): void;
	/** Reports the outcome and frees the slot; resolves once the broker has it (or at most after a second). */
	release(outcome: ReportedOutcome): Promise<void>;
}

export type QueuedInfo = Extract<BrokerMessage, { type: 'queued' }>;

/** A waiting client hears from the broker every second (queue updates); silence this long means it stopped. */
const SILENCE_MS = 5000;
/** Starts of a broker that failed in a row before the call is given up as unavailable. */
const START_ATTEMPTS = 3;
/** A bound on broker deaths survived while waiting, so that a broker that crashes on every request cannot loop a call forever. */
const MAX_DEATHS = 100;

/**
 * Waits for the slot `request` asks for. A broker that dies while we wait is replaced (by us or another caller) and
 * we queue again — a death is survived, not counted down; only brokers that cannot be started, or a broker that
 * stops answering, make the broker unavailable. If the broker dies while the slot is held, a new broker is started
 * and the slot re-announced (counted at once, without waiting), so the limits stay true for everyone.
 */
export async function acquireSlot(
	settings: BrokerSettings,
	request: SlotRequest,
	onQueued: (info: QueuedInfo) => void,
	silenceMs = SILENCE_MS,
): Promise<Slot> {
	const started = Date.now();
	let connection: BrokerConnection | undefined;
	let note: string | undefined;
	for (let failedStarts = 0, deaths = 0; connection === undefined; ) {
		let candidate: BrokerConnection;
		try {
			candidate = await connectBroker(settings, { type: 'acquire', ...request, pid: process.pid });
		} catch (error) {
			if (!(error instanceof BrokerUnavailable) || error.reason === 'silent' || ++failedStarts >= START_ATTEMPTS) throw error;
			await sleep(20 * failedStarts);
			continue;
		}
		try {
			const reply = await grantOf(candidate, onQueued, silenceMs);
			if (reply.type === 'open') {
				candidate.close();
				throw new BreakerOpen(reply.endpoint, reply.breaker);
			}
			if (reply.type === 'fleet-unavailable') {
				candidate.close();
				throw new FleetUnavailable(reply.redis, reply.detail);
			}
			note = reply.note;
			connection = candidate;
		} catch (error) {
			if (!(error instanceof BrokerUnavailable) || error.reason !== 'closed' || ++deaths >= MAX_DEATHS) throw error;
			await sleep(Math.min(200, 10 * deaths));
		}
	}
	const waitedMs = Date.now() - started;

	let current = connection;
	let released = false;
	// A re-announce in flight may be starting a broker while holding the start lock: this process must not
	// exit under it (an exit mid-start frees the lock and lets a second broker start beside the first).
	let reannouncing: Promise<void> | undefined;
	const watch = (watched: BrokerConnection) =>
		watched.socket.once('close', () => {
			if (!released) reannouncing = reannounce();
		});
	// Until it is counted again: a broker that dies in the middle of the re-announce is just one more death to survive.
	const reannounce = async () => {
		for (let failedStarts = 0, deaths = 0; !released; ) {
			try {
				const replacement = await connectBroker(settings, { type: 'acquire', ...request, pid: process.pid, reannounce: true });
				if (released) return replacement.close();
				current = replacement;
				watch(replacement);
				return;
			} catch (error) {
				const closed = error instanceof BrokerUnavailable && error.reason === 'closed';
				// No broker to be had: the call goes on; the next calls start one.
				if (closed ? ++deaths >= MAX_DEATHS : ++failedStarts >= START_ATTEMPTS) return;
				await sleep(Math.min(200, 20 * (deaths + failedStarts)));
			}
		}
	};
	watch(connection);
	return {
		waitedMs,
		...(note === undefined ? {} : { note }),
		stall: detail => current.send({ type: 'stall', detail }),
		async release(outcome) {
			released = true;
			await reannouncing;
			// The outcome feeds the shared statistics and breaker: wait for the broker to have it before this
			// process exits, but never hang on a broker that does not answer.
			if ((await acknowledge(current, { type: 'release', outcome })) === 'closed') {
				// The broker died with the outcome unread: the next broker counts it (it holds no slot of ours to free).
				const replacement = await connectBroker(settings).catch(() => undefined);
				if (replacement) await acknowledge(replacement, { type: 'release', outcome });
			}
		},
	};
}

/** The broker's answer to an acquire: `granted`, `open` or `fleet-unavailable`; a `silent` BrokerUnavailable when it says nothing for `silenceMs`. */
function grantOf(connection: BrokerConnection, onQueued: (info: QueuedInfo) => void, silenceMs: number) {
	let lastHeard = Date.now();
	connection.onMessage(message => {
		lastHeard = Date.now();
		if (message.type === 'queued') onQueued(message);
	});
	let timer: NodeJS.Timeout | undefined;
	const silence = new Promise<never>((_, reject) => {
		const check = () => {
			const quiet = Date.now() - lastHeard;
			if (quiet < silenceMs) {
				timer = setTimeout(check, silenceMs - quiet);
				return;
			}
			reject(new BrokerUnavailable(`the broker stopped answering (nothing for ${silenceMs / 1000} s)`, 'silent'));
			connection.socket.destroy();
		};
		timer = setTimeout(check, silenceMs);
	});
	return Promise.race([connection.next('granted', 'open', 'fleet-unavailable'), silence]).finally(() => clearTimeout(timer));
}

/** Sends `message` and waits at most a second for the broker's `ok`; says whether it came, or the connection closed first. */
async function acknowledge(connection: BrokerConnection, message: ClientMessage): Promise<'ok' | 'closed' | 'timeout'> {
	const acknowledged = connection.next('ok').then(
		() => 'ok' as const,
		() => 'closed' as const,
	);
	connection.send(message);
	let timer: NodeJS.Timeout | undefined;
	const answer = await Promise.race([
		acknowledged,
		new Promise<'timeout'>(resolve => (timer = setTimeout(() => resolve('timeout'), 1000))),
	]);
	clearTimeout(timer);
	connection.close();
	return answer;
}
