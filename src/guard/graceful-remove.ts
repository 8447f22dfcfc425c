import { setTimeout as sleep } from 'node:timers/promises';
import type { DockerClient } from '../docker/client.js';
import { firstLine } from '../system/first-line.js';
import type { StatusLine } from '../system/status-line.js';

/** How the removal of one container went. */
export type RemoveOutcome =
	| {
			readonly name: string;
			readonly status: 'removed';
			readonly wasRunning: boolean;
			readonly stoppedInMs: number | null;
			readonly exitCode: number | null;
	  }
	| { readonly name: string; readonly status: 'missing' }
	| { readonly name: string; readonly status: 'failed'; readonly step: 'inspect' | 'stop' | 'verify' | 'rm'; readonly detail: string };

export interface RemoveOptions {
	/** Seconds docker gives the container to stop after SIGTERM before it sends SIGKILL. */
	readonly timeSeconds: number;
	/** Also remove the container's anonymous volumes (`rm --volumes`). */
	readonly volumes: boolean;
	/** Where to show that a stop is under way (a live line on a terminal): a stop can take the whole timeout. */
	readonly progress?: StatusLine;
	// For testing
	readonly now?: () => number;
	readonly tickMs?: number;
}

const NO_SUCH = /no such (container|object)/i;
const ACTIVE = new Set(['running', 'paused', 'restarting']);
const SIGKILLED = 137;

/**
 * The safe alternative to `docker rm -f`: does it exist → graceful `stop` (SIGTERM, then SIGKILL only after
 * the timeout) → verify it is no longer running → `rm` without force. One container's failure never hides
 * the others': each gets its own outcome, in the order given.
 */
export async function removeGracefully(names: readonly string[], options: RemoveOptions, docker: DockerClient): Promise<RemoveOutcome[]> {
	const outcomes: RemoveOutcome[] = [];
	for (const name of names) outcomes.push(await removeOne(name, options, docker));
	return outcomes;
}

async function removeOne(
	name: string,
	{ timeSeconds, volumes, progress, now = Date.now, tickMs = 1000 }: RemoveOptions,
	docker: DockerClient,
): Promise<RemoveOutcome> {
	const inspect = await docker(['container', 'inspect', '--format', '{{.State.Status}}', name]);
	if (inspect.exitCode !== 0) {
		return NO_SUCH.test(inspect.stderr)
			? { name, status: 'missing' }
			: { name, status: 'failed', step: 'inspect', detail: firstLine(inspect.stderr) };
	}
	const wasRunning = ACTIVE.has(inspect.stdout.trim());
	let stoppedInMs: number | null = null;
	let exitCode: number | null = null;
	if (wasRunning) {
		const started = now();
		const show = () =>
			progress?.show(
				`safe-docker: stopping ${name}: SIGTERM sent ${Math.round((now() - started) / 1000)} s ago; SIGKILL at ${timeSeconds} s`,
			);
		show();
		const ticker = progress === undefined ? undefined : setInterval(show, tickMs);
		const stop = await docker(['container', 'stop', '--time', String(timeSeconds), name]).finally(() => {
			clearInterval(ticker);
			progress?.clear();
		});
		if (stop.exitCode !== 0) return { name, status: 'failed', step: 'stop', detail: firstLine(stop.stderr) };
		const state = await waitUntilStopped(name, docker);
		if (state === undefined) return { name, status: 'failed', step: 'verify', detail: 'still running after stop' };
		stoppedInMs = now() - started;
		exitCode = state;
	}
	const rm = await docker(['container', 'rm', ...(volumes ? ['--volumes'] : []), name]);
	if (rm.exitCode !== 0) {
		return NO_SUCH.test(rm.stderr) ? { name, status: 'missing' } : { name, status: 'failed', step: 'rm', detail: firstLine(rm.stderr) };
	}
	return { name, status: 'removed', wasRunning, stoppedInMs, exitCode };
}

/** The exit code once the container no longer runs, or undefined if it still does after ~5 s. */
async function waitUntilStopped(name: string, docker: DockerClient): Promise<number | undefined> {
	for (let attempt = 0; attempt < 50; attempt++) {
		const state = await docker(['container', 'inspect', '--format', '{{.State.Running}} {{.State.ExitCode}}', name]);
		const [running, code] = state.stdout.trim().split(' ');
		if (state.exitCode === 0 && running === 'false') return Number(code);
		await sleep(100);
	}
	return undefined;
}

/** One line per outcome, for people. */
export function describeOutcome(outcome: RemoveOutcome): string {
	switch (outcome.status) {
		case 'removed': {
			if (!outcome.wasRunning) return `${outcome.name}: removed (was not running)`;
			const seconds = ((outcome.stoppedInMs ?? 0) / 1000).toFixed(1);
			// 137 = 128 + SIGKILL: it ignored SIGTERM until docker stop's timeout ran out.
			return outcome.exitCode === SIGKILLED
				? `${outcome.name}: removed (did not stop on SIGTERM: killed with SIGKILL when the stop timeout ran out, after ${seconds} s, exit code 137)`
				: `${outcome.name}: removed (stopped gracefully in ${seconds} s, exit code ${outcome.exitCode})`;
		}
		case 'missing':
			return `${outcome.name}: no such container, nothing to remove`;
		case 'failed':
			return `${outcome.name}: failed at ${outcome.step}: ${outcome.detail}`;
	}
}
