import { spawn as baseSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { DockerNotFound } from '../errors.js';

/** Signals safe-docker passes on to docker. */
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;
/** Signals a terminal sends to its whole foreground process group (docker included) on a keystroke. */
const KEYBOARD_SIGNALS = new Set<NodeJS.Signals>(['SIGINT', 'SIGQUIT']);

/** How docker ended. */
export interface DockerExit {
	/** What safe-docker exits with: docker's code, or 128+n when docker died by signal n. */
	readonly exitCode: number;
	/** The signal that ended docker, if one did. */
	readonly signal: NodeJS.Signals | null;
	readonly durationMs: number;
}

export interface RunDockerOptions {
	readonly env?: NodeJS.ProcessEnv;
	readonly cwd?: string;
	/** Called with the child's pid once it runs. */
	readonly onSpawn?: (pid: number) => void;
	/** The error for a command that cannot be started (ENOENT/EACCES); docker's own by default. */
	readonly notFound?: (command: string, code: string, cause: Error) => Error;
	// For testing
	readonly spawn?: (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;
	readonly process?: Pick<NodeJS.Process, 'on' | 'off' | 'pid'>;
	readonly inForegroundGroup?: () => boolean;
	readonly now?: () => number;
}

/**
 * Runs the real docker with `args` exactly as given — an argv array, never a shell — with the terminal
 * inherited, so TTYs, colours, progress displays and `docker load < file` behave as with docker itself.
 * Signals reaching safe-docker are forwarded, except the keyboard's SIGINT/SIGQUIT while we are in the
 * terminal's foreground group: the kernel already delivered those to docker, and a second SIGINT would
 * turn `compose up`'s graceful stop into a forced one.
 */
export function runDocker(docker: string, args: readonly string[], options: RunDockerOptions = {}): Promise<DockerExit> {
	const {
		env = process.env,
		cwd,
		spawn = baseSpawn,
		process: proc = process,
		inForegroundGroup = isInForegroundGroup,
		now = performance.now.bind(performance),
		notFound = (command, code, cause) => new DockerNotFound(`cannot run ${command}: ${code}`, { cause }),
	} = options;
	const started = now();
	return new Promise((resolve, reject) => {
		const child = spawn(docker, args, { stdio: 'inherit', env, ...(cwd === undefined ? {} : { cwd }), windowsHide: false });
		const forward = (signal: NodeJS.Signals) => {
			if (KEYBOARD_SIGNALS.has(signal) && inForegroundGroup()) return;
			child.kill(signal);
		};
		for (const signal of FORWARDED_SIGNALS) proc.on(signal, forward);
		if (child.pid !== undefined) options.onSpawn?.(child.pid);
		const cleanup = () => {
			for (const signal of FORWARDED_SIGNALS) proc.off(signal, forward);
		};
		child.once('error', error => {
			cleanup();
			const code = (error as NodeJS.ErrnoException).code;
			if (code === 'ENOENT' || code === 'EACCES') reject(notFound(docker, code, error));
			else reject(error);
		});
		child.once('exit', (code, signal) => {
			cleanup();
			const exitCode = code ?? 128 + (signal ? constants.signals[signal] : 0);
			resolve({ exitCode, signal, durationMs: now() - started });
		});
	});
}

/**
 * True when this process belongs to the foreground process group of a controlling terminal (Linux: fields
 * 5 and 8 of /proc/self/stat). Elsewhere, an interactive stdin is the best available sign.
 */
function isInForegroundGroup(): boolean {
	try {
		const stat = readFileSync('/proc/self/stat', 'utf8');
		// The command name (field 2) may contain spaces; fields after it are space-separated.
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		const pgrp = Number(fields[2]);
		const tpgid = Number(fields[5]);
		return tpgid > 0 && tpgid === pgrp;
	} catch {
		return Boolean(process.stdin.isTTY);
	}
}
