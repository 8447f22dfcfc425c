import { boolFlag, type ParsedCall } from './parse.js';

/**
 * Which limiter lane a call waits in.
 * - `read`: cheap, read-only calls (ps, images, inspect, version, logs without -f…): a looser lane, so an
 *   interactive `docker ps` never waits behind builds.
 * - `mutate`: calls that change the daemon's state or load it heavily (run, create, rm, build, pull, prune…),
 *   including a foreground run: starting a container is the same daemon work with or without `-d`.
 * - `attached`: long-lived calls attached to a stream that start nothing (logs -f, events, attach, exec…).
 */
export type Lane = 'read' | 'mutate' | 'attached';

export const LANES: readonly Lane[] = ['mutate', 'read', 'attached'];

/** The last word of a command path that marks it read-only, whatever the management command. */
const READ_VERBS = new Set([
	'ls',
	'list',
	'ps',
	'inspect',
	'history',
	'df',
	'top',
	'port',
	'diff',
	'show',
	'version',
	'info',
	'images',
	'config',
	'du',
	'search',
]);

/** Read-only command paths whose last word is not in READ_VERBS. */
export const READ_PATHS = new Set([
	'context use',
	'context create',
	'context update',
	'context rm',
	'context export',
	'context import', // client-side files only
	'login',
	'logout',
	'trust key generate',
	'compose alpha viz',
]);

/** Always attached to a stream for as long as it runs. */
export const ATTACHED_PATHS = new Set([
	'system events',
	'compose events',
	'container attach',
	'compose attach',
	'container wait',
	'compose wait',
	'compose watch',
	'buildx dial-stdio',
]);

/** Classifies a parsed call. Unknown commands (plugins) go to `mutate`: the safe assumption. */
export function laneOf(call: ParsedCall): Lane {
	if (call.help || call.version) return 'read';
	const { command } = call;
	if (command === undefined) return call.typed.length === 0 ? 'read' : 'mutate';
	if (ATTACHED_PATHS.has(command)) return 'attached';

	switch (command) {
		case 'container logs':
		case 'service logs':
		case 'compose logs':
			return boolFlag(call, 'follow') ? 'attached' : 'read';
		case 'container stats':
		case 'compose stats':
			return boolFlag(call, 'no-stream') ? 'read' : 'attached';
		case 'container exec':
		case 'compose exec':
			return boolFlag(call, 'detach') ? 'mutate' : 'attached';
	}
	const verb = command.slice(command.lastIndexOf(' ') + 1);
	if (READ_PATHS.has(command) || READ_VERBS.has(verb)) return 'read';
	return 'mutate';
}

/**
 * How long a call holds its slot: `call`, until docker exits; or `lease`, only for the start-up lease
 * (`lanes.attached.leaseMs`), for a call that stays attached to a stream once started — so a `logs -f` or a
 * foreground `run` left open in a terminal never holds a slot for hours.
 */
export type Hold = 'call' | 'lease';

export function holdOf(call: ParsedCall): Hold {
	const lane = laneOf(call);
	if (lane !== 'mutate') return lane === 'attached' ? 'lease' : 'call';
	switch (call.command) {
		case 'container run':
		case 'compose run':
			return boolFlag(call, 'detach') ? 'call' : 'lease';
		case 'container start':
			return boolFlag(call, 'attach') || boolFlag(call, 'interactive') ? 'lease' : 'call';
		case 'compose up':
			return boolFlag(call, 'detach') || boolFlag(call, 'wait') ? 'call' : 'lease';
	}
	return 'call';
}
