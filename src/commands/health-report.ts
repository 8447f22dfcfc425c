import { setTimeout as sleep } from 'node:timers/promises';
import type { DockerClient } from '../docker/client.js';
import { dockerEndpoint } from '../docker/endpoint.js';
import { pingDaemon } from '../docker/ping.js';
import { type HealthReport, measureHealth } from '../health/measure.js';
import { renderLine, renderReport } from '../health/render.js';
import type { CommandContext } from './context.js';

export interface HealthOptions {
	readonly json?: boolean;
	/** Seconds between redraws (`--watch` alone: 5). */
	readonly watch?: number | true;
}

/**
 * `safe-docker guard health [--json] [--watch [seconds]]` (also `safe-docker health`): the daemon and its
 * resources, graded. Exit 0 SAFE/WARNING, 2 UNKNOWN (a measurement failed), 3 CRITICAL, 4 EMERGENCY,
 * 5 daemon unreachable; with --watch, 0 when interrupted.
 */
export async function healthCommand(options: HealthOptions, context: CommandContext): Promise<number> {
	if (options.watch === undefined) {
		const report = await healthReport(context);
		context.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report, isTerminal(context)));
		return report.exitCode;
	}
	const seconds = options.watch === true ? 5 : options.watch;
	const stop = new AbortController();
	const interrupt = () => stop.abort();
	// Before the first measurement: Ctrl-C at any moment ends the watch cleanly.
	process.once('SIGINT', interrupt);
	process.once('SIGTERM', interrupt);
	try {
		for (;;) {
			const current = await healthReport(context);
			if (stop.signal.aborted) return 0;
			if (options.json) context.stdout.write(`${JSON.stringify(current)}\n`);
			else if (isTerminal(context))
				context.stdout.write(`\u001B[H\u001B[2J${renderReport(current, true)}(every ${seconds} s; Ctrl-C to stop)\n`);
			else context.stdout.write(`${renderLine(current)}\n`);
			await sleep(seconds * 1000, undefined, { signal: stop.signal });
		}
	} catch (error) {
		if ((error as Error).name !== 'AbortError') throw error;
		return 0;
	} finally {
		process.off('SIGINT', interrupt);
		process.off('SIGTERM', interrupt);
	}
}

/** One measurement of the daemon's health, with the same config, docker and endpoint the proxy would use. */
export async function healthReport(context: CommandContext, docker?: DockerClient): Promise<HealthReport> {
	const { config } = await context.loaded();
	const endpoint = dockerEndpoint(context.env);
	return measureHealth({
		config,
		endpoint,
		docker: docker ?? (await context.docker(10_000)),
		ping: pingDaemon,
		breaker: async () => {
			const live = await context.broker();
			if (!live) return null;
			const breaker = live.stats.breakers[endpoint.url];
			return { state: breaker?.state ?? 'closed', nextProbeAt: breaker?.nextProbeAt ?? null };
		},
	});
}

function isTerminal(context: CommandContext): boolean {
	return (context.stdout as { isTTY?: boolean }).isTTY === true;
}
