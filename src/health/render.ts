import { Chalk } from 'chalk';
import { formatBytes } from '../docker/sizes.js';
import type { Level } from './levels.js';
import type { HealthReport, Measurement } from './measure.js';

const COLOURS: Readonly<Record<Level | 'UNREACHABLE', 'green' | 'yellow' | 'red' | 'magenta' | 'gray'>> = {
	SAFE: 'green', WARNING: 'yellow', CRITICAL: 'red', EMERGENCY: 'magenta', UNKNOWN: 'gray', UNREACHABLE: 'red',
};

/** The report as a compact table; colours only when `colour` (a terminal; chalk honours NO_COLOR/FORCE_COLOR). */
export function renderReport(report: HealthReport, colour: boolean): string {
	const chalk = new Chalk({ level: colour ? 1 : 0 });
	const paint = (level: Level | 'UNREACHABLE') => chalk[COLOURS[level]](level);
	const { daemon } = report;
	const breaker = report.breaker ? `breaker ${report.breaker.state}${report.breaker.nextProbeAt ? `, next probe ${new Date(report.breaker.nextProbeAt).toISOString()}` : ''}` : 'breaker: no broker running';
	const head = daemon.reachable
		? `daemon  reachable at ${daemon.endpoint}, ping ${daemon.latencyMs ?? '?'} ms, server ${daemon.serverVersion ?? '?'}${daemon.apiVersion ? ` (API ${daemon.apiVersion})` : ''}; ${breaker}`
		: `daemon  ${paint('UNREACHABLE')} at ${daemon.endpoint}: ${daemon.problem}; ${breaker}`;
	const rows = report.measurements.map(measurement => [
		measurement.name,
		show(measurement, measurement.value),
		show(measurement, measurement.limit),
		measurement.percent === null ? '-' : `${measurement.percent.toFixed(1)}%`,
		measurement.name.startsWith('  ') ? '' : paint(measurement.level),
		measurement.level === 'UNKNOWN' ? measurement.note ?? '' : '',
	]);
	const widths = [30, 12, 12, 8, 0];
	const lines = rows.map(row => row.map((cell, i) => (widths[i] ? cell.padEnd(widths[i]!) : cell)).join(' ').trimEnd());
	return [head, ...(rows.length > 0 ? ['resource                       value        limit        use      level', ...lines] : []), `overall ${paint(report.level)}`, ''].join('\n');
}

/** One line per interval for `--watch` without a terminal. */
export function renderLine(report: HealthReport): string {
	const parts = report.measurements.filter(measurement => !measurement.name.startsWith('  ')).map(measurement => `${measurement.name.split(' ')[0]}=${measurement.percent === null ? measurement.level : `${measurement.percent.toFixed(1)}%`}`);
	return `${report.time} ${report.level} ${report.daemon.reachable ? `ping=${report.daemon.latencyMs}ms` : 'unreachable'} ${parts.join(' ')}`.trimEnd();
}

function show(measurement: Measurement, value: number | null): string {
	if (value === null) return '-';
	return measurement.unit === 'bytes' ? formatBytes(value) : String(value);
}
