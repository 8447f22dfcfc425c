import { Chalk } from 'chalk';
import { formatBytes } from '../docker/sizes.js';
import { useColour } from './colour.js';
import type { Level } from './levels.js';
import type { HealthReport, Measurement } from './measure.js';

const COLOURS: Readonly<Record<Level | 'UNREACHABLE', 'green' | 'yellow' | 'red' | 'magenta' | 'gray'>> = {
	SAFE: 'green',
	WARNING: 'yellow',
	CRITICAL: 'red',
	EMERGENCY: 'magenta',
	UNKNOWN: 'gray',
	UNREACHABLE: 'red',
};

/**
 * The report as a compact table, levels coloured when `terminal` (or as FORCE_COLOR / NO_COLOR in `env` say).
 */
export function renderReport(
	report: HealthReport,
	terminal: boolean,
	env: Readonly<Record<string, string | undefined>> = process.env,
): string {
	const chalk = new Chalk({ level: useColour({ isTTY: terminal }, env) ? 1 : 0 });
	const paint = (level: Level | 'UNREACHABLE') => chalk[COLOURS[level]](level);
	const { daemon } = report;
	const breaker = report.breaker
		? `breaker ${report.breaker.state}${report.breaker.nextProbeAt ? `, next probe ${new Date(report.breaker.nextProbeAt).toISOString()}` : ''}`
		: 'breaker: no broker running';
	const ping = daemon.latencyMs === null ? `not pinged (${daemon.problem ?? 'no answer'})` : `ping ${daemon.latencyMs} ms`;
	const head =
		report.level === 'UNREACHABLE' || !daemon.reachable
			? `daemon  ${paint(report.level === 'UNREACHABLE' ? 'UNREACHABLE' : 'UNKNOWN')} at ${daemon.endpoint}: ${daemon.problem}; ${breaker}`
			: `daemon  reachable at ${daemon.endpoint}, ${ping}, server ${daemon.serverVersion ?? '?'}${daemon.apiVersion ? ` (API ${daemon.apiVersion})` : ''}; ${breaker}`;
	const rows = report.measurements.map(measurement => [
		measurement.partOf === undefined ? measurement.name : `  ${measurement.name}`,
		show(measurement, measurement.value),
		show(measurement, measurement.limit),
		measurement.percent === null ? '-' : `${measurement.percent.toFixed(1)}%`,
		measurement.partOf === undefined ? paint(measurement.level) : '',
		measurement.level === 'UNKNOWN' ? (measurement.note ?? '') : '',
	]);
	const widths = [30, 12, 12, 8, 0];
	const lines = rows.map(row =>
		row
			.map((cell, i) => (widths[i] ? cell.padEnd(widths[i]!) : cell))
			.join(' ')
			.trimEnd(),
	);
	return [
		head,
		...(rows.length > 0 ? ['resource                       value        limit        use      level', ...lines] : []),
		`overall ${paint(report.level)}`,
		'',
	].join('\n');
}

/** One line per interval for `--watch` without a terminal. */
export function renderLine(report: HealthReport): string {
	const parts = report.measurements
		.filter(measurement => measurement.partOf === undefined)
		.map(measurement => `${measurement.id}=${measurement.percent === null ? measurement.level : `${measurement.percent.toFixed(1)}%`}`);
	const daemon =
		report.level === 'UNREACHABLE' ? 'unreachable' : report.daemon.latencyMs === null ? 'ping=n/a' : `ping=${report.daemon.latencyMs}ms`;
	return `${report.time} ${report.level} ${daemon} ${parts.join(' ')}`.trimEnd();
}

function show(measurement: Measurement, value: number | null): string {
	if (value === null) return '-';
	return measurement.unit === 'bytes' ? formatBytes(value) : String(value);
}
