import { realpathSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GuardContext } from '../cli/guard.js';
import { loadConfig } from '../config/load.js';
import { stateDir } from '../config/paths.js';
import { connectExisting } from '../coordination/client.js';
import { type DockerClient, dockerClient } from '../docker/client.js';
import { dockerEndpoint } from '../docker/endpoint.js';
import { locateDocker } from '../docker/locate.js';
import { pingDaemon } from '../docker/ping.js';
import { type HealthReport, measureHealth } from '../health/measure.js';
import { renderLine, renderReport } from '../health/render.js';

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
export async function healthCommand(options: HealthOptions, context: GuardContext): Promise<number> {
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
export async function healthReport(context: GuardContext, docker?: DockerClient): Promise<HealthReport> {
	const { config, origins } = await loadConfig({ cwd: context.cwd, env: context.env });
	const client =
		docker ??
		dockerClient(
			locateDocker({
				configured: config.docker.path,
				configuredFrom: origins.get('docker.path'),
				self: realpathSync(context.self),
				env: context.env,
			}),
			context.env,
			10_000,
		);
	const endpoint = dockerEndpoint(context.env);
	return measureHealth({
		config,
		endpoint,
		docker: client,
		ping: pingDaemon,
		breaker: async () => {
			const live = await connectExisting(stateDir(context.env));
			if (!live) return null;
			live.connection.send({ type: 'stats' });
			const { stats } = await live.connection.next('stats');
			live.connection.close();
			const breaker = stats.breakers[endpoint.url];
			return { state: breaker?.state ?? 'closed', nextProbeAt: breaker?.nextProbeAt ?? null };
		},
	});
}

function isTerminal(context: GuardContext): boolean {
	return (context.stdout as { isTTY?: boolean }).isTTY === true;
}
