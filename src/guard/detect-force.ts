import { boolFlag, flagValues, type ParsedCall } from '../docker-grammar/parse.js';
import { parseDuration } from '../system/duration.js';
import { FORCE_RULES, type ForceRule } from './force-rules.js';

/** A call that uses force semantics. */
export interface ForceUse {
	/** Canonical command path: `container rm`. */
	readonly command: string;
	/** The command as typed: `rm`. */
	readonly typed: string;
	/** The argv token that set force last (and so decides it): `-f`, `-af`, `--force`, `--force=true`. */
	readonly token: string;
	readonly rule: ForceRule;
}

/**
 * Force semantics, decided from the parse: the command defines `--force` and the call sets it true
 * (the last occurrence wins). `-f` meaning follow/file/filter/format, a `-f` inside the container's
 * command or given as a value, `--force=false`, look-alikes such as `--force-recreate`, and help
 * requests are never force.
 */
export function detectForce(call: ParsedCall): ForceUse | undefined {
	if (call.help || call.command === undefined) return undefined;
	const last = call.flags.findLast(flag => flag.name === 'force');
	const rule = FORCE_RULES[call.command];
	if (last === undefined || last.value !== true || rule === undefined) return undefined;
	return { command: call.command, typed: call.typed.join(' '), token: call.argv[last.index]!, rule };
}

/** The argv without any force flag: `-af` becomes `-a`, `--force`/`-f=true` disappear. */
export function withoutForce(call: ParsedCall): string[] {
	return withoutFlags(call, { force: 'f' });
}

/**
 * The argv without the given flags (long name → its shorthand letter, if any): a shorthand is taken out of
 * its cluster (`-fv` → `-v`), with its `=value`, which ends the cluster; a flag without a shorthand letter goes whole.
 */
export function withoutFlags(call: ParsedCall, flags: Readonly<Record<string, string | undefined>>): string[] {
	const edits = flagEdits(call, flags);
	return call.argv.flatMap((token, index) => {
		const edit = edits.get(index);
		return edit === undefined ? (edits.has(index) ? [] : [token]) : [edit];
	});
}

/** Argv index → what that token becomes without force: a shorter cluster, or undefined when it goes. */
export function forceEdits(call: ParsedCall): Map<number, string | undefined> {
	return flagEdits(call, { force: 'f' });
}

function flagEdits(call: ParsedCall, flags: Readonly<Record<string, string | undefined>>): Map<number, string | undefined> {
	const edits = new Map<number, string | undefined>();
	for (const flag of call.flags) {
		if (!Object.hasOwn(flags, flag.name)) continue;
		const token = edits.has(flag.index) ? edits.get(flag.index) : call.argv[flag.index]!;
		const short = flags[flag.name];
		if (token === undefined || token.startsWith('--') || short === undefined) {
			edits.set(flag.index, undefined);
			continue;
		}
		// A shorthand cluster: take out the letter (and its `=value`, which ends the cluster).
		const letter = token.indexOf(short, 1);
		const rest = token[letter + 1] === '=' ? '' : token.slice(letter + 1);
		const cluster = token.slice(0, letter) + rest;
		edits.set(flag.index, cluster === '-' ? undefined : cluster);
	}
	return edits;
}

/** The safe command to run instead, as an argv starting with the program name. */
export function safeAlternative(call: ParsedCall, use: ForceUse): string[] {
	if (use.rule.alternative === 'remove') {
		return ['safe-docker', 'guard', 'remove', ...(boolFlag(call, 'volumes') ? ['--volumes'] : []), ...call.positionals];
	}
	if (use.rule.alternative === 'cleanup') return ['safe-docker', 'cleanup', '--dry-run', ...cleanupOptions(call, use.command)];
	return ['docker', ...withoutForce(call)];
}

/**
 * A prune's options as `safe-docker cleanup` options: `-a` on image/system prune → `--images`; volumes →
 * `--volumes` (`volume prune -a`: `--volumes=named`); `--filter until=<duration>` → `--older-than`;
 * `--filter label=…` → `--label`. Other filters have no cleanup counterpart; the dry run shows the plan.
 */
function cleanupOptions(call: ParsedCall, command: string): string[] {
	const options: string[] = [];
	const all = boolFlag(call, 'all') === true;
	if (all && (command === 'image prune' || command === 'system prune')) options.push('--images');
	if (command === 'volume prune') options.push(all ? '--volumes=named' : '--volumes');
	if (command === 'system prune' && boolFlag(call, 'volumes')) options.push('--volumes');
	for (const filter of flagValues(call.flags, 'filter')) {
		const [name, value] = [filter.slice(0, filter.indexOf('=')), filter.slice(filter.indexOf('=') + 1)];
		if (name === 'until' && parseDuration(value) !== undefined) options.push('--older-than', value);
		if (name === 'label') options.push('--label', value);
	}
	return options;
}
