import { setTimeout as sleep } from 'node:timers/promises';
import { BreakerOpen, BrokerUnavailable } from '../errors.js';
import { type BrokerConnection, type BrokerSettings, connectBroker } from './client.js';
import type { BrokerMessage, ReportedOutcome, SlotRequest } from './protocol.js';

/** A granted slot, held until released (or until this process dies and its socket closes). */
export interface Slot {
	readonly waitedMs: number;
	/** Reports the outcome and frees the slot; resolves once the broker has it (or at most after a second). */
	release(outcome: ReportedOutcome): Promise<void>;
}

export type QueuedInfo = Extract<BrokerMessage, { type: 'queued' }>;

/**
 * Waits for the slot `request` asks for. If the broker dies while the slot is held, a new broker is started and the
 * slot re-announced (counted at once, without waiting), so the limits stay true for everyone.
 */
export async function acquireSlot(settings: BrokerSettings, request: SlotRequest, onQueued: (info: QueuedInfo) => void): Promise<Slot> {
	const started = Date.now();
	let connection: BrokerConnection;
	// A broker that dies while we wait is replaced and we queue again (at most a few times).
	for (let attempt = 1; ; attempt++) {
		try {
			connection = await connectBroker(settings, { type: 'acquire', ...request, pid: process.pid });
			connection.onMessage(message => {
				if (message.type === 'queued') onQueued(message);
			});
			const reply = await connection.next('granted', 'open');
			if (reply.type === 'open') {
				connection.close();
				throw new BreakerOpen(reply.endpoint, reply.breaker);
			}
			break;
		} catch (error) {
			if (!(error instanceof BrokerUnavailable) || attempt >= 5) throw error;
			await sleep(20 * attempt);
		}
	}
	const waitedMs = Date.now() - started;

	let current: BrokerConnection = connection;
	let released = false;
	// A re-announce in flight may be starting a broker while holding the start lock: this process must not
	// exit under it (an exit mid-start frees the lock and lets a second broker start beside the first).
	let reannouncing: Promise<void> | undefined;
	const watch = (watched: BrokerConnection) =>
		watched.socket.once('close', () => {
			if (!released) reannouncing = reannounce();
		});
	const reannounce = async () => {
		try {
			const replacement = await connectBroker(settings);
			if (released) return replacement.close();
			replacement.send({ type: 'acquire', ...request, pid: process.pid, reannounce: true });
			current = replacement;
			watch(replacement);
		} catch {
			// No broker to be had: the call goes on; the next calls start one.
		}
	};
	watch(connection);
	return {
		waitedMs,
		async release(outcome) {
			released = true;
			await reannouncing;
			const acknowledged = current.next('ok').catch(() => undefined);
			current.send({ type: 'release', outcome });
			// The outcome feeds the shared statistics and breaker: wait for the broker to have it before this
			// process exits, but never hang on a broker that does not answer.
			let timer: NodeJS.Timeout | undefined;
			await Promise.race([acknowledged, new Promise(resolve => (timer = setTimeout(resolve, 1000)))]);
			clearTimeout(timer);
			current.close();
		},
	};
}
