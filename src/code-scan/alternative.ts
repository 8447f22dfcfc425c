import type { ParsedCall } from '../docker-grammar/parse.js';
import { type ForceUse, forceEdits, safeAlternative } from '../guard/detect-force.js';
import { displayCommand } from '../system/display-command.js';
import type { ShellCall } from './shell-walk.js';

/** docker's global options that change which daemon a call reaches, as the variables `safe-docker guard remove` honours. */
const DAEMON_OPTIONS: Readonly<Record<string, string>> = { host: 'DOCKER_HOST', context: 'DOCKER_CONTEXT', config: 'DOCKER_CONFIG' };

/** The safe command: its words, each either as written in the source or new (to be quoted as the source quotes). */
export interface Alternative {
	/** Words of the command instead of the call; undefined where no exact command exists (`advice` says what to do). */
	readonly words?: ReadonlyArray<{ readonly text: string; readonly written: boolean }>;
	readonly advice?: string;
}

/**
 * The safe command to run instead of a forced call, written to be pasted where the call is: every word as
 * written (quotes, `$(…)`, `${x}`, redirections and wrappers kept), never a placeholder. Where no exact
 * command exists, it says in words what to run.
 */
export function alternativeFor(call: ShellCall, parsed: ParsedCall, use: ForceUse): Alternative {
	const raw = (index: number) => call.raw[index];
	const docker = ['docker', 'docker-compose', 'safe-docker'].includes(call.program);
	const daemon = () => daemonSettings(call, parsed);
	if (use.rule.alternative === 'cleanup' && docker) {
		// The guard's own alternative: a dry run of `safe-docker cleanup` with the prune's options translated.
		const [, ...words] = safeAlternative(parsed, use);
		return { words: [...daemon(), ...fresh('safe-docker', ...words)] };
	}
	if (use.rule.alternative === 'remove') {
		const targets = positionalIndices(parsed).map(raw);
		const volumes = parsed.flags.findLast(flag => flag.name === 'volumes')?.value === true;
		const fed = /\b(xargs|find)\b/.test(call.before);
		if (!docker) {
			// podman, nerdctl: their own graceful stop first, since safe-docker drives docker.
			if (targets.length === 0 && !fed) return { advice: `${call.program} stop <container…>, then ${call.program} rm <container…>` };
			const list = targets.flatMap(kept);
			return {
				words: [
					...kept(call.programRaw),
					...fresh('stop'),
					...list,
					...fresh('&&'),
					...kept(call.programRaw),
					...fresh('rm', ...(volumes ? ['-v'] : [])),
					...list,
				],
			};
		}
		if (targets.length === 0 && !fed) return { advice: 'safe-docker guard remove <container…> (this call names no container)' };
		return {
			words: [...daemon(), ...fresh('safe-docker', 'guard', 'remove', ...(volumes ? ['--volumes'] : [])), ...targets.flatMap(kept)],
		};
	}
	const edits = forceEdits(parsed);
	const argv = call.raw.flatMap((word, index) => {
		if (!edits.has(index)) return kept(word);
		const edit = edits.get(index);
		return edit === undefined ? [] : fresh(edit);
	});
	return { words: [...kept(call.programRaw), ...argv] };
}

/**
 * The data-loss guard's safe way (`judgeLoss`'s alternative) written in the call's place: a backup or
 * `safe-docker guard cleanup` (reaching the same daemon), or the call itself as written without the flag
 * that destroys volumes.
 */
export function lossAlternative(call: ShellCall, parsed: ParsedCall, alternative: readonly string[]): Alternative {
	const [program, ...rest] = alternative;
	if (program === 'safe-docker') {
		const words =
			rest[1] === 'backup'
				? [...fresh('safe-docker', 'guard', 'backup'), ...positionalIndices(parsed).flatMap(index => kept(call.raw[index]))]
				: fresh(...alternative);
		return { words: [...daemonSettings(call, parsed), ...words] };
	}
	// The alternative only drops flags or shortens a cluster (`-sv` → `-s`): walk both argvs side by side.
	const words: Array<{ text: string; written: boolean }> = [];
	let next = 0;
	parsed.argv.forEach((token, index) => {
		const wanted = rest[next];
		if (wanted === token) words.push(...kept(call.raw[index]));
		else if (wanted !== undefined && /^-[^-]/.test(token) && /^-[^-]/.test(wanted) && wanted.length < token.length)
			words.push(...fresh(wanted));
		else return;
		next++;
	});
	return { words: [...kept(call.programRaw), ...words] };
}

/** The call as written, to be run once with an escape hatch (`VAR="<reason>"`) set for it. */
export function withHatch(call: ShellCall, hatch: string): string {
	const words = [...kept(call.programRaw), ...call.raw.flatMap(kept)];
	return `${hatch}="<reason>" ${shellAlternative(call, { words })}`;
}

/** An alternative as a shell command line in place of the call: wrappers and redirections around it kept. */
export function shellAlternative(call: ShellCall, alternative: Alternative): string {
	if (!alternative.words) return alternative.advice ?? '';
	const words = alternative.words.map(word =>
		word.written || /^[\w@%+=:,./-]+$/.test(word.text) ? word.text : displayCommand([word.text]),
	);
	return oneLine([call.before.trimEnd(), ...words, call.after].filter(Boolean).join(' '));
}

const kept = (text: string | undefined) => (text === undefined ? [] : [{ text, written: true }]);
const fresh = (...texts: string[]) => texts.map(text => ({ text, written: false }));

/** -H/--context/--config as the variables safe-docker's own commands honour, so they reach the same daemon. */
function daemonSettings(call: ShellCall, parsed: ParsedCall): Array<{ text: string; written: boolean }> {
	const settings = parsed.globals.flatMap(flag => {
		const variable = DAEMON_OPTIONS[flag.name];
		const value = call.raw[flag.valueIndex];
		return variable && typeof flag.value === 'string' && value !== undefined ? [{ text: `${variable}=${value}`, written: true }] : [];
	});
	return settings.length > 0 ? [...fresh('env'), ...settings] : [];
}

/** Argv indices of a parsed call's positionals (the words that are neither command words nor options). */
function positionalIndices(parsed: ParsedCall): number[] {
	const taken = new Set<number>();
	for (const flag of [...parsed.globals, ...parsed.parentFlags, ...parsed.flags])
		for (let index = flag.index; index <= flag.valueIndex; index++) taken.add(index);
	const indices: number[] = [];
	let typed = 0;
	let dashes = false;
	for (let index = 0; index < parsed.argv.length && indices.length < parsed.positionals.length; index++) {
		if (taken.has(index)) continue;
		const token = parsed.argv[index]!;
		if (typed < parsed.typed.length && token === parsed.typed[typed]) typed++;
		else if (token === '--' && !dashes) dashes = true;
		else if (typed >= parsed.typed.length) indices.push(index);
	}
	return indices;
}

/** A command continued over lines, shown on one. */
function oneLine(text: string): string {
	return text.replace(/[\\`]\r?\n[ \t]*/g, ' ').replace(/\s*\n\s*/g, ' ');
}
