import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAudit } from '../audit/audit-log.js';
import type { GuardContext } from '../cli/guard.js';
import { stateDir } from '../config/paths.js';
import { STATS_FILE } from '../coordination/broker.js';
import { connectExisting } from '../coordination/client.js';
import type { StatsSnapshot } from '../coordination/protocol.js';

/** `safe-docker guard stats [--json | --prometheus] [--reset]`: the shared statistics, live from the broker or as last saved. */
export async function statsCommand(
	options: { json?: boolean; prometheus?: boolean; reset?: boolean },
	context: GuardContext,
): Promise<number> {
	const dir = stateDir(context.env);
	const live = await connectExisting(dir);
	if (options.reset) {
		if (live) {
			live.connection.send({ type: 'reset' });
			await live.connection.next('ok');
		} else {
			const file = join(dir, STATS_FILE);
			writeFileSync(
				`${file}.tmp`,
				`${JSON.stringify({ since: new Date().toISOString(), totalCalls: 0, failures: { failed: 0, daemon: 0 }, waitedCalls: 0, waits: [] })}\n`,
				{ mode: 0o600 },
			);
			renameSync(`${file}.tmp`, file);
		}
	}
	let stats: StatsSnapshot;
	if (live) {
		live.connection.send({ type: 'stats' });
		stats = (await live.connection.next('stats')).stats;
		live.connection.close();
	} else {
		stats = savedStats(dir);
	}
	stats = { ...stats, rejections: readAudit(dir).filter(entry => entry.decision === 'rejected' && entry.time >= stats.since).length };
	if (options.prometheus) context.stdout.write(prometheus(stats));
	else if (options.json) context.stdout.write(`${JSON.stringify(stats, null, 2)}\n`);
	else context.stdout.write(table(stats, live !== undefined));
	return 0;
}

function savedStats(dir: string): StatsSnapshot {
	let saved: {
		since?: string;
		totalCalls?: number;
		failures?: { failed: number; daemon: number };
		waitedCalls?: number;
		waits?: number[];
		breakers?: StatsSnapshot['breakers'];
	} = {};
	try {
		saved = JSON.parse(readFileSync(join(dir, STATS_FILE), 'utf8'));
	} catch {
		// no statistics yet
	}
	const waits = [...(saved.waits ?? [])].sort((a, b) => a - b);
	const at = (q: number) => (waits.length === 0 ? 0 : waits[Math.min(waits.length - 1, Math.floor(q * waits.length))]!);
	const idle = { running: 0, queued: 0 };
	return {
		since: saved.since ?? new Date(0).toISOString(),
		brokerPid: 0,
		totalCalls: saved.totalCalls ?? 0,
		failures: saved.failures ?? { failed: 0, daemon: 0 },
		waitedCalls: saved.waitedCalls ?? 0,
		waitMs: { p50: at(0.5), p95: at(0.95), max: waits.at(-1) ?? 0 },
		lanes: { mutate: idle, read: idle, attached: idle },
		rejections: 0,
		breakers: saved.breakers ?? {},
	};
}

function table(stats: StatsSnapshot, live: boolean): string {
	const lanes = Object.entries(stats.lanes).map(
		([lane, { running, queued }]) => `  ${lane.padEnd(9)} running ${running}, queued ${queued}`,
	);
	return [
		`since ${stats.since}${live ? ` (broker pid ${stats.brokerPid})` : ' (no broker running: as last saved)'}`,
		`calls          ${stats.totalCalls}`,
		`failed         ${stats.failures.failed} (docker or the container said no), ${stats.failures.daemon} daemon failures`,
		`had to wait    ${stats.waitedCalls}; wait p50 ${stats.waitMs.p50} ms, p95 ${stats.waitMs.p95} ms, max ${stats.waitMs.max} ms`,
		`rejected       ${stats.rejections} by the force guard`,
		...Object.entries(stats.breakers).map(
			([url, breaker]) =>
				`breaker        ${url}: ${breaker.state}${breaker.state === 'closed' ? '' : ` since ${new Date(breaker.openedAt ?? 0).toISOString()}, next probe ${new Date(breaker.nextProbeAt ?? 0).toISOString()}`} (${breaker.consecutiveFailures} failures in a row, ${breaker.transitions} transitions)`,
		),
		'lanes:',
		...lanes,
		'',
	].join('\n');
}

/** Prometheus text exposition format, for a node_exporter textfile collector. */
function prometheus(stats: StatsSnapshot): string {
	const metric = (name: string, type: string, help: string, samples: Array<[string, number]>) =>
		[`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples.map(([labels, value]) => `${name}${labels} ${value}`)].join('\n');
	const lanes = Object.entries(stats.lanes);
	return `${[
		metric('safe_docker_calls_total', 'counter', 'Docker calls that finished through safe-docker.', [['', stats.totalCalls]]),
		metric(
			'safe_docker_failures_total',
			'counter',
			'Calls that failed, by kind (failed: docker or the container; daemon: the daemon itself).',
			[
				['{kind="failed"}', stats.failures.failed],
				['{kind="daemon"}', stats.failures.daemon],
			],
		),
		metric('safe_docker_waited_calls_total', 'counter', 'Calls that had to wait for a slot.', [['', stats.waitedCalls]]),
		metric('safe_docker_wait_seconds', 'summary', 'Time calls waited for a slot.', [
			['{quantile="0.5"}', stats.waitMs.p50 / 1000],
			['{quantile="0.95"}', stats.waitMs.p95 / 1000],
			['{quantile="1"}', stats.waitMs.max / 1000],
		]),
		metric(
			'safe_docker_lane_running',
			'gauge',
			'Calls holding a slot now, per lane.',
			lanes.map(([lane, { running }]) => [`{lane="${lane}"}`, running]),
		),
		metric(
			'safe_docker_lane_queued',
			'gauge',
			'Calls waiting for a slot now, per lane.',
			lanes.map(([lane, { queued }]) => [`{lane="${lane}"}`, queued]),
		),
		metric('safe_docker_guard_rejections_total', 'counter', 'Calls the force guard refused.', [['', stats.rejections]]),
		metric(
			'safe_docker_breaker_open',
			'gauge',
			'Whether the breaker of a daemon endpoint is open (1) or half-open (0.5).',
			Object.entries(stats.breakers).map(([url, breaker]) => [
				`{endpoint="${url}"}`,
				breaker.state === 'open' ? 1 : breaker.state === 'half-open' ? 0.5 : 0,
			]),
		),
		metric(
			'safe_docker_breaker_transitions_total',
			'counter',
			'Breaker state changes of a daemon endpoint.',
			Object.entries(stats.breakers).map(([url, breaker]) => [`{endpoint="${url}"}`, breaker.transitions]),
		),
	].join('\n')}\n`;
}
