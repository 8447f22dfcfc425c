import type { Hold } from '../docker-grammar/lanes.js';

/**
 * What kind of daemon work a call is, for the adaptive limit: each class is measured against its own
 * baseline, since a `tag` (a few ms of metadata) and a `run` (a container's whole life cycle) can't share one.
 */
export const LATENCY_CLASSES = ['create', 'run', 'remove', 'exec', 'network', 'volume', 'image', 'compose'] as const;
export type LatencyClass = (typeof LATENCY_CLASSES)[number];

/**
 * Only calls whose duration is daemon work. Left out on purpose: builds, pulls, pushes, imports, loads,
 * saves, exports and copies (their time is data transfer), prunes (their time is what there is to remove),
 * `stop`, `restart` and `compose down/stop/restart` (their time is the container's own shutdown, up to its
 * stop timeout), swarm commands (they wait for convergence) and unknown commands.
 */
const CLASS_OF: Readonly<Record<string, LatencyClass>> = {
	'container create': 'create',
	'container start': 'create',
	'container pause': 'create',
	'container unpause': 'create',
	'container update': 'create',
	'container rename': 'create',
	'container rm': 'remove',
	'container kill': 'remove',
	'container exec': 'exec',
	'network create': 'network',
	'network rm': 'network',
	'network connect': 'network',
	'network disconnect': 'network',
	'volume create': 'volume',
	'volume rm': 'volume',
	'volume update': 'volume',
	'image tag': 'image',
	'image rm': 'image',
	'compose create': 'compose',
	'compose start': 'compose',
	'compose up': 'compose',
	'compose rm': 'compose',
	'compose kill': 'compose',
	'compose pause': 'compose',
	'compose unpause': 'compose',
};

/**
 * The latency class of a call, from its canonical command path (`container run`, not `run`) and how it holds
 * its slot; `undefined` when its duration says nothing about the daemon's load.
 *
 * A call held only for the start-up lease is attached to a stream, so its duration is the stream's, with one
 * exception: a foreground `run` (`run --rm img true`, a test harness's workhorse) is daemon work plus its
 * container, and gets its own class; the broker counts it only when it ended within its lease.
 */
export function latencyClassOf(command: string | undefined, hold: Hold): LatencyClass | undefined {
	if (command === undefined) return undefined;
	if (command === 'container run' || command === 'compose run') {
		if (hold === 'lease') return 'run';
		return command === 'container run' ? 'create' : 'compose';
	}
	if (hold === 'lease') return undefined;
	return CLASS_OF[command];
}
