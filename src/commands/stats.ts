import { readAudit } from '../audit/audit-log.js';
import { maxConcurrentOf } from '../config/lane-profile.js';
import type { AdaptiveSnapshot } from '../coordination/adaptive-types.js';
import { tellBroker } from '../coordination/broker-status.js';
import type { StatsSnapshot } from '../coordination/protocol.js';
import { StatsStore } from '../coordination/stats-store.js';
import { describeFleet, fleetMetrics } from '../fleet/describe-fleet.js';
import type { CommandContext } from './context.js';

/** The data-loss guard's refusals and escape-hatch uses of one class. */
interface LossCounts {
	readonly rejected: number;
	readonly escapeHatch: number;
}

/** What `guard stats` reports: the broker's counters (live, or as last saved) and the guards' decisions from the audit log. */
interface StatsReport extends StatsSnapshot {
	/** Calls the force guard refused. */
	readonly rejections: number;
	/** The data-loss guard, by class. */
	readonly dataLoss: { readonly named: LossCounts; readonly anonymous: LossCounts };
	/** Calls that ran without cross-process limits because no broker could be had (broker.onUnavailable = run). */
	readonly unlimitedCalls: number;
}

/** `safe-docker guard stats [--json | --prometheus] [--reset]`: the shared statistics, live from the broker or as last saved. */
export async function statsCommand(
	options: { json?: boolean; prometheus?: boolean; reset?: boolean },
	context: CommandContext,
): Promise<number> {
	const dir = context.stateDir();
	if (options.reset && (await tellBroker(dir, 'reset')) === undefined) {
		const store = new StatsStore(dir);
		store.reset();
		store.save();
	}
	const live = await context.broker();
	const saved = new StatsStore(dir);
	const summary = saved.summary();
	const { config } = await context.loaded();
	// With no broker, the limits are what the configuration says, or what the adaptive lane last learned.
	const idle = (lane: 'mutate' | 'read' | 'attached') => {
		const adaptive = lane === 'mutate' && config.lanes.mutate.mode === 'adaptive';
		const learned = adaptive ? summary.adaptive['mutate'] : undefined;
		return {
			running: 0,
			queued: 0,
			limit: learned ? limitOf(learned) : adaptive ? config.lanes.mutate.adaptive.initialLimit : maxConcurrentOf(config.lanes, lane),
			mode: adaptive ? ('adaptive' as const) : ('fixed' as const),
		};
	};
	const stats: StatsSnapshot = live?.stats ?? {
		...summary,
		// Nothing counted yet: what the audit log holds counts from its start.
		...(saved.saved ? {} : { since: new Date(0).toISOString() }),
		brokerPid: 0,
		lanes: { mutate: idle('mutate'), read: idle('read'), attached: idle('attached') },
	};
	const entries = readAudit(dir).filter(entry => entry.time >= stats.since);
	const count = (loss: 'named' | 'anonymous', decision: 'rejected' | 'escape-hatch') =>
		entries.filter(entry => entry.guard === 'data-loss' && entry.loss === loss && entry.decision === decision).length;
	const report: StatsReport = {
		...stats,
		rejections: entries.filter(entry => entry.guard === undefined && entry.decision === 'rejected').length,
		unlimitedCalls: entries.filter(entry => entry.decision === 'unlimited').length,
		dataLoss: {
			named: { rejected: count('named', 'rejected'), escapeHatch: count('named', 'escape-hatch') },
			anonymous: { rejected: count('anonymous', 'rejected'), escapeHatch: count('anonymous', 'escape-hatch') },
		},
	};
	if (options.prometheus) context.stdout.write(prometheus(report));
	else if (options.json) context.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
	else context.stdout.write(table(report, live !== undefined));
	return 0;
}

/** The limit an adaptive lane applies now: 1 while it measures a baseline. */
const limitOf = (snapshot: AdaptiveSnapshot) => (snapshot.measuring === null ? snapshot.limit : 1);

function table(stats: StatsReport, live: boolean): string {
	const lanes = Object.entries(stats.lanes).map(
		([lane, { running, queued, limit, mode }]) =>
			`  ${lane.padEnd(9)} limit ${limit} (${mode}), running ${running}, queued ${queued}${adaptiveLines(mode === 'adaptive' ? stats.adaptive[lane] : undefined)}`,
	);
	const time = (at: number | null) => new Date(at ?? 0).toISOString();
	return [
		stats.since === new Date(0).toISOString()
			? 'nothing counted yet (no broker has run for this state directory)'
			: `since ${stats.since}${live ? ` (broker pid ${stats.brokerPid})` : ' (no broker running: as last saved)'}`,
		`calls          ${stats.totalCalls}`,
		`failed         ${stats.failures.failed} (docker or the container said no), ${stats.failures.daemon} daemon failures`,
		`had to wait    ${stats.waitedCalls}; wait p50 ${stats.waitMs.p50} ms, p95 ${stats.waitMs.p95} ms, max ${stats.waitMs.max} ms`,
		`rejected       ${stats.rejections} by the force guard`,
		`data loss      named: ${stats.dataLoss.named.rejected} refused, ${stats.dataLoss.named.escapeHatch} let through by the escape hatch; anonymous: ${stats.dataLoss.anonymous.rejected} refused, ${stats.dataLoss.anonymous.escapeHatch} by the escape hatch`,
		`unlimited      ${stats.unlimitedCalls} ran without cross-process limits (no broker to be had)`,
		...Object.entries(stats.breakers).map(
			([url, breaker]) =>
				`breaker        ${url}: ${breaker.state}${breaker.state === 'closed' ? '' : ` since ${time(breaker.openedAt)}, next probe ${time(breaker.nextProbeAt)}`} (${breaker.consecutiveFailures} failures in a row, ${breaker.transitions} transitions)`,
		),
		...(stats.fleet ? describeFleet(stats.fleet) : []),
		'lanes:',
		...lanes,
		'',
	].join('\n');
}

/** What an adaptive lane learned: why its limit is what it is, and each class's baseline and recent latency. */
function adaptiveLines(snapshot: AdaptiveSnapshot | undefined): string {
	if (!snapshot) return '';
	const since = snapshot.changedAt === null ? '' : ` (${new Date(snapshot.changedAt).toISOString()})`;
	// Whole milliseconds: latencies are measured to the microsecond.
	const ms = (value: number | null, none: string) => (value === null ? none : `${Math.round(value)} ms`);
	const classes = Object.entries(snapshot.classes).map(
		([name, { baselineMs, recentMs }]) =>
			`\n            ${name.padEnd(8)} baseline ${ms(baselineMs, 'not measured')}, recent ${ms(recentMs, '-')}`,
	);
	return `\n            last change${since}: ${snapshot.reason}${classes.join('')}`;
}

/** Prometheus text exposition format, for a node_exporter textfile collector. */
function prometheus(stats: StatsReport): string {
	const metric = (name: string, type: string, help: string, samples: Array<[string, number]>) =>
		[`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples.map(([labels, value]) => `${name}${labels} ${value}`)].join('\n');
	const lanes = Object.entries(stats.lanes);
	const breakers = Object.entries(stats.breakers);
	const adaptive = Object.entries(stats.adaptive).filter(([lane]) => stats.lanes[lane as keyof StatsReport['lanes']]?.mode === 'adaptive');
	/** One sample per adaptive lane and latency class that has this latency, in seconds. */
	const perClass = (field: 'baselineMs' | 'recentMs') =>
		adaptive.flatMap(([lane, snapshot]) =>
			Object.entries(snapshot.classes).flatMap(([name, latency]): Array<[string, number]> => {
				const ms = latency[field];
				return ms === null ? [] : [[`{lane="${lane}",class="${name}"}`, ms / 1000]];
			}),
		);
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
		metric(
			'safe_docker_lane_limit',
			'gauge',
			'Calls a lane lets run at once now (learned by the broker in adaptive mode).',
			lanes.map(([lane, { limit, mode }]) => [`{lane="${lane}",mode="${mode}"}`, limit]),
		),
		metric(
			'safe_docker_adaptive_baseline_seconds',
			'gauge',
			'Latency of a call running alone, per adaptive lane and latency class.',
			perClass('baselineMs'),
		),
		metric(
			'safe_docker_adaptive_recent_latency_seconds',
			'gauge',
			'Median latency of the last calls, per adaptive lane and latency class.',
			perClass('recentMs'),
		),
		metric(
			'safe_docker_adaptive_limit_changed_timestamp_seconds',
			'gauge',
			'When an adaptive lane last changed its limit (its reason is in `guard stats`).',
			adaptive.flatMap(
				([lane, snapshot]): Array<[string, number]> =>
					snapshot.changedAt === null ? [] : [[`{lane="${lane}"}`, Math.round(snapshot.changedAt / 1000)]],
			),
		),
		metric('safe_docker_guard_rejections_total', 'counter', 'Calls the force guard refused.', [['', stats.rejections]]),
		metric('safe_docker_unlimited_calls_total', 'counter', 'Calls that ran without cross-process limits: no broker could be had.', [
			['', stats.unlimitedCalls],
		]),
		metric(
			'safe_docker_data_loss_total',
			'counter',
			'Calls the data-loss guard refused, or let through by SAFE_DOCKER_ALLOW_DATA_LOSS, by the class of volumes they destroy.',
			(['named', 'anonymous'] as const).flatMap(loss => [
				[`{class="${loss}",decision="rejected"}`, stats.dataLoss[loss].rejected] as [string, number],
				[`{class="${loss}",decision="escape-hatch"}`, stats.dataLoss[loss].escapeHatch] as [string, number],
			]),
		),
		metric(
			'safe_docker_breaker_open',
			'gauge',
			'Whether the breaker of a daemon endpoint is open (1) or half-open (0.5).',
			breakers.map(([url, breaker]) => [`{endpoint="${url}"}`, breaker.state === 'open' ? 1 : breaker.state === 'half-open' ? 0.5 : 0]),
		),
		metric(
			'safe_docker_breaker_transitions_total',
			'counter',
			'Breaker state changes of a daemon endpoint.',
			breakers.map(([url, breaker]) => [`{endpoint="${url}"}`, breaker.transitions]),
		),
		...(stats.fleet ? fleetMetrics(stats.fleet).map(sample => metric(...sample)) : []),
	].join('\n')}\n`;
}
