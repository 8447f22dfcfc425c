import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LockTimeout } from '../errors.js';
import type { HeldLock, LockRequest } from '../lock/acquire.js';
import { type Holder, newHolder, parseHolder } from '../lock/holder.js';
import { fleetLockKeys, type LockScripts, lockScripts } from './lock-scripts.js';

export interface FleetLockOptions {
	/** A connection that reconnects: the holder's renewals resume when Redis is back. */
	readonly redis: Redis;
	readonly prefix: string;
	/** A holder that stops renewing (its host died) loses the lock this long after its last renewal. */
	readonly leaseMs: number;
	/** Opens the connection that waits for releases (pub/sub needs a connection of its own). */
	readonly subscriber: () => Promise<Redis>;
	// For testing
	readonly now?: () => number;
}

/** How often the waiting line is refreshed: a local timer, never a Redis command. */
const DISPLAY_MS = 1000;
/** A wake a little after the lease end, so that the dead holder's key is surely gone. */
const AFTER_LEASE_MS = 5;

/**
 * Takes an environment's lock in the fleet's Redis, waiting as long as allowed, without polling: a waiter sleeps
 * until a release is published or until the holder's lease ends (PTTL: the moment a dead holder's lock expires),
 * then tries once more. The holder renews its lease every third of it, by token, so a live holder keeps the lock
 * for hours and a dead host's lock is free within one lease.
 */
export async function acquireFleetLock(options: FleetLockOptions, request: LockRequest): Promise<HeldLock> {
	const { redis, leaseMs, now = Date.now } = options;
	const scripts = lockScripts(redis);
	const keys = fleetLockKeys(options.prefix, request.env);
	const token = randomBytes(16).toString('hex');
	const holder = newHolder(request.env, request.command, request.reason);
	const started = now();
	let subscriber: Redis | undefined;
	// Wake-ups so far (a release published, the subscription lost), counted so that none is missed while we are busy.
	let wakeups = 0;
	let wake: (() => void) | undefined;
	try {
		for (;;) {
			const seen = wakeups;
			const answer = await scripts.acquire(keys.lock, token, JSON.stringify(holder), leaseMs);
			if (answer[0] === 1) break;
			const [, pttl, holderJson] = answer;
			const current = parseHolder(holderJson);
			if (subscriber === undefined) {
				// Subscribed before the next try, so that a release between the two is never missed.
				subscriber = await options.subscriber();
				const onWake = () => {
					wakeups++;
					wake?.();
				};
				// A lost subscription wakes the waiter too: its next try meets Redis's absence and fleet.onUnavailable decides.
				subscriber.on('message', onWake).on('close', onWake);
				await subscriber.subscribe(keys.channel);
				continue;
			}
			if (request.timeoutMs !== undefined && now() - started >= request.timeoutMs)
				throw new LockTimeout(request.env, request.timeoutMs, current);
			// A lock without a lease (written by hand) is looked at again once per lease; the last try is at the deadline.
			const nextTry = Math.min(
				now() + (pttl > 0 ? pttl + AFTER_LEASE_MS : leaseMs),
				request.timeoutMs === undefined ? Infinity : started + request.timeoutMs,
			);
			while (wakeups === seen && now() < nextTry) {
				request.onWait?.(current, now() - started);
				await sleepUnlessWoken(Math.min(nextTry - now(), DISPLAY_MS), callback => (wake = callback));
			}
		}
	} finally {
		wake = undefined;
		subscriber?.disconnect();
	}
	return heldFleetLock({ ...options, scripts, keys, token, waitedMs: now() - started, onCompromised: request.onCompromised }, holder);
}

interface HeldFleetLockOptions extends FleetLockOptions {
	readonly scripts: LockScripts;
	readonly keys: ReturnType<typeof fleetLockKeys>;
	readonly token: string;
	readonly waitedMs: number;
	readonly onCompromised: ((error: Error) => void) | undefined;
}

/** The held lock: renewed until released; a renewal that finds the lock taken reports it once and stops. */
function heldFleetLock(options: HeldFleetLockOptions, first: Holder): HeldLock {
	const { scripts, keys, token, leaseMs } = options;
	let holder = first;
	let timer: NodeJS.Timeout | undefined;
	let done = false;
	const renew = async () => {
		let result: -1 | 0 | 1 | 2 | undefined;
		try {
			result = await scripts.renew(keys.lock, keys.revoked, token, JSON.stringify(holder), leaseMs);
		} catch {
			// Redis away: the command keeps running; the next renewal (after ioredis reconnects) re-announces the lock.
		}
		if (done) return;
		if (result === 0 || result === -1) {
			done = true;
			options.onCompromised?.(
				new Error(result === 0 ? 'its lease ran out and another holder took it' : 'it was released with guard unlock --force'),
			);
			return;
		}
		schedule();
	};
	const schedule = () => {
		timer = setTimeout(renew, Math.max(100, Math.floor(leaseMs / 3)));
		timer.unref();
	};
	schedule();
	return {
		env: first.env,
		waitedMs: options.waitedMs,
		setChild(pid) {
			holder = { ...holder, childPid: pid };
			scripts.announce(keys.lock, token, JSON.stringify(holder)).catch(() => undefined);
		},
		async release() {
			done = true;
			clearTimeout(timer);
			// Compare-and-delete: a lock someone else holds now is left alone. Redis away: the lease frees it.
			await scripts.release(keys.lock, token, keys.channel).catch(() => undefined);
		},
	};
}

/** Resolves when `ms` passed or when woken (a release was published), whichever is first; the timer never outlives it. */
function sleepUnlessWoken(ms: number, onWake: (wake: () => void) => void): Promise<void> {
	return new Promise(resolve => {
		const timer = setTimeout(resolve, Math.max(0, ms));
		onWake(() => {
			clearTimeout(timer);
			resolve();
		});
	});
}
