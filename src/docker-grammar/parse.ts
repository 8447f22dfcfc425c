import { flagSetOf } from './flag-spec.js';
import { type FlagUse, scanFlags } from './scan-flags.js';
import { buildxCommands } from './tables/buildx-commands.js';
import { composeCommands } from './tables/compose-commands.js';
import { dockerCommands } from './tables/docker-commands.js';
import { buildxRoot, composeRoot, dockerRoot } from './tables/root-options.js';
import type { CommandSpec } from './types.js';

/** A docker argv as docker itself would parse it. */
export interface ParsedCall {
	readonly argv: readonly string[];
	/** docker's global options (`--context x`, `-H …`, `-D`). */
	readonly globals: readonly FlagUse[];
	/** Canonical command path (`container rm` for `rm`), or undefined when none was given or it is unknown. */
	readonly command: string | undefined;
	/** The command words as typed (`['rm']`), or for an unknown command its first word (a plugin, maybe). */
	readonly typed: readonly string[];
	/** Options of the parent command: compose's root options (`-f a.yml -p x`) or buildx's (`--builder b`). */
	readonly parentFlags: readonly FlagUse[];
	/** The command's own options, in order. */
	readonly flags: readonly FlagUse[];
	/** Positional arguments (for run/create/exec…: just IMAGE, CONTAINER or SERVICE). */
	readonly positionals: readonly string[];
	/** What belongs to the container: for run/create/exec/compose run… everything after IMAGE/CONTAINER/SERVICE. */
	readonly trailing: readonly string[];
	/** `--help`, `-h` (where it means help) or `docker help …`: docker prints help and runs nothing. */
	readonly help: boolean;
	/** `docker --version` / `-v`. */
	readonly version: boolean;
	/** Problems docker itself will reject the call for; docker reports them, we only note them. */
	readonly errors: readonly string[];
}

const COMMANDS: Readonly<Record<string, CommandSpec>> = { ...dockerCommands, ...composeCommands, ...buildxCommands };

/** Typed path (canonical or alias) → canonical path. */
const LEAVES = new Map<string, string>();
/** Every proper prefix of a typed path: the management commands (`container`, `compose`, `buildx imagetools`…). */
const GROUPS = new Set<string>();
for (const [path, spec] of Object.entries(COMMANDS)) {
	for (const typed of [path, ...(spec.aliases ?? [])]) {
		LEAVES.set(typed, path);
		const words = typed.split(' ');
		for (let n = 1; n < words.length; n++) GROUPS.add(words.slice(0, n).join(' '));
	}
}

const ROOT_FLAGS = flagSetOf(dockerRoot);
const COMPOSE_ROOT_FLAGS = flagSetOf(composeRoot);
const BUILDX_ROOT_FLAGS = flagSetOf(buildxRoot);
/** compose's only persistent root flag, accepted after the subcommand too (cmd/compose/compose.go). */
const COMPOSE_PERSISTENT = { bool: 'dry-run', source: 'docker/compose:cmd/compose/compose.go' } as const;

/** Parses a docker argv (without the leading `docker`). Never throws: what docker would reject is in `errors`. */
export function parseDockerArgv(argv: readonly string[]): ParsedCall {
	const root = scanFlags(argv, 0, ROOT_FLAGS, 'stop-at-positional');
	const errors = [...root.errors];
	let help = root.help;
	const version = root.flags.some(flag => flag.name === 'version' && flag.value === true);
	const parentFlags: FlagUse[] = [];
	const words: string[] = [];
	let i = root.end;

	// Walk the command words: `container rm`, `compose -f a.yml up`, `buildx --builder b imagetools create`.
	while (i < argv.length) {
		const token = argv[i]!;
		const prefix = words.join(' ');
		if (token.startsWith('-') && token !== '-' && words.length > 0 && !LEAVES.has(prefix)) {
			// `docker builder …` is forwarded to buildx, root options included (cmd/docker/builder.go).
			const set =
				prefix === 'compose' ? COMPOSE_ROOT_FLAGS : prefix.startsWith('buildx') || prefix === 'builder' ? BUILDX_ROOT_FLAGS : undefined;
			if (!set) break;
			const scan = scanFlags(argv, i, set, 'stop-at-positional');
			parentFlags.push(...scan.flags);
			errors.push(...scan.errors);
			help ||= scan.help;
			if (scan.end === i) break;
			i = scan.end;
			continue;
		}
		const candidate = words.length === 0 ? token : `${prefix} ${token}`;
		if (!LEAVES.has(candidate) && !GROUPS.has(candidate)) break;
		words.push(token);
		i++;
	}

	const typedPath = words.join(' ');
	const command = LEAVES.get(typedPath);
	if (command === undefined) {
		// No command, only a management command (`docker container` prints help), or a plugin we do not know.
		const typed = words.length > 0 ? words : argv[i] === undefined ? [] : [argv[i]!];
		if (words.length > 0 && i < argv.length && !help) errors.push(`unknown command: ${typedPath} ${argv[i]}`);
		return {
			argv,
			globals: root.flags,
			command: undefined,
			typed,
			parentFlags,
			flags: [],
			positionals: argv.slice(i + (words.length > 0 ? 0 : 1)),
			trailing: [],
			help: help || (words.length > 0 && i >= argv.length),
			version,
			errors,
		};
	}

	const spec = COMMANDS[command]!;
	const persistent = command.startsWith('compose ') ? [COMPOSE_PERSISTENT] : command.startsWith('buildx ') ? [buildxRoot] : [];
	const set = persistent.length === 0 ? flagSetOf(spec) : flagSetOf(spec, ...persistent);
	const stops = spec.interspersed === false;
	const scan = scanFlags(argv, i, set, stops ? 'stop-at-positional' : 'interspersed');
	errors.push(...scan.errors);
	return {
		argv,
		globals: root.flags,
		command,
		typed: words,
		parentFlags,
		flags: scan.flags,
		positionals: stops ? argv.slice(scan.end, scan.end + 1) : scan.positionals,
		trailing: stops ? argv.slice(scan.end + 1) : [],
		help: help || scan.help || command === 'help',
		version,
		errors,
	};
}

/** The canonical path of a command typed as words (`['rm']` → `container rm`), if it is one. */
export function canonicalCommand(words: readonly string[]): string | undefined {
	return LEAVES.get(words.join(' '));
}

/** The effective value of a boolean flag: the last occurrence wins, as in pflag. */
export function boolFlag(call: ParsedCall, name: string): boolean | undefined {
	const last = call.flags.findLast(flag => flag.name === name);
	return last === undefined ? undefined : last.value === true;
}

/** Every value given for a value flag (repeatable flags such as `-e` or compose's `-f`). */
export function flagValues(flags: readonly FlagUse[], name: string): string[] {
	return flags.filter(flag => flag.name === name && typeof flag.value === 'string').map(flag => flag.value as string);
}
