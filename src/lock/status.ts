import { readdirSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { type Holder, holderIsGone, readHolder } from './holder.js';
import { lockFiles } from './paths.js';

/** The state of one environment's lock. */
export interface LockState {
	readonly env: string;
	readonly state: 'free' | 'held' | 'stale';
	readonly holder?: Holder;
	/** Since the holder last refreshed the lock. */
	readonly refreshedMsAgo?: number;
	/** Fleet mode: how long the lock outlives its holder if it stops renewing now (a dead host's lock frees itself). */
	readonly leaseRemainingMs?: number;
}

/**
 * Is environment `env` locked, and by whom? (`stale`: its holder is gone, or stopped refreshing it; the
 * next contender takes it over.) For `guard lock status` and for cleanup, which spares locked environments.
 */
export function lockState(dir: string, env: string, staleMs: number, now = Date.now()): LockState {
	const files = lockFiles(dir, env);
	let mtime: number;
	try {
		mtime = statSync(files.lockDir).mtimeMs;
	} catch {
		return { env, state: 'free' };
	}
	const holder = readHolder(files.holder);
	const refreshedMsAgo = Math.max(0, now - mtime);
	const stale = holder !== undefined && holder.host === hostname() ? holderIsGone(holder) : refreshedMsAgo > staleMs;
	return { env, state: stale ? 'stale' : 'held', ...(holder ? { holder } : {}), refreshedMsAgo };
}

/** Every lock present in `dir`, by environment name. */
export function listLocks(dir: string, staleMs: number, now = Date.now()): LockState[] {
	let names: string[];
	try {
		names = readdirSync(dir);
	} catch {
		return [];
	}
	return names
		.filter(name => name.endsWith('.lock'))
		.map(name => name.slice(0, -'.lock'.length))
		.sort()
		.map(env => lockState(dir, env, staleMs, now));
}
