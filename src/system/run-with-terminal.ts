import { spawn as baseSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { constants } from 'node:os';
import { DockerNotFound } from '../errors.js';
import { type ExactBytes, viaShell } from './exact-bytes.js';
import { mirrorJobControl } from './job-control.js';
import { procStatField } from './proc-stat.js';

/** Signals safe-docker passes on to the program it runs. */
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;
/** How long a program ended by `signal` gets between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 2000;
/** Signals a terminal sends to its whole foreground process group (docker included) on a keystroke. */
const KEYBOARD_SIGNALS = new Set<NodeJS.Signals>(['SIGINT', 'SIGQUIT']);

/** How the program ended. */
export interface TerminalExit {
	/** What safe-docker exits with: the program's code, or 128+n when it died by signal n. */
	readonly exitCode: number;
	/** The signal that ended it, if one did. */
	readonly signal: NodeJS.Signals | null;
	readonly durationMs: number;
}

export interface RunWithTerminalOptions {
	readonly env?: NodeJS.ProcessEnv;
	readonly cwd?: string;
	/** Ends the program when aborted: SIGTERM, then SIGKILL if it is still there after a grace period. */
	readonly signal?: AbortSignal;
	/** Called with the child's pid once it runs. */
	readonly onSpawn?: (pid: number) => void;
	/** The original bytes where decoding argv or the environment as UTF-8 lost some: run through `sh` to pass them exactly. */
	readonly exact?: ExactBytes;
	/** The error for a command that cannot be started (ENOENT/EACCES); docker's own by default. */
	readonly notFound?: (command: string, code: string, cause: Error) => Error;
	// For testing
	readonly spawn?: (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;
	readonly process?: Pick<NodeJS.Process, 'on' | 'off' | 'pid'>;
	readonly inForegroundGroup?: () => boolean;
	readonly now?: () => number;
}

/**
 * Runs a program (the real docker; under `guard lock`, any command) with `args` exactly as given — an argv
 * array, never a shell — with the terminal inherited, so TTYs, colours, progress displays and
 * `docker load < file` behave as without safe-docker.
 * Signals reaching safe-docker are forwarded, except the keyboard's SIGINT/SIGQUIT while we are in the
 * terminal's foreground group: the kernel already delivered those to docker, and a second SIGINT would
 * turn `compose up`'s graceful stop into a forced one.
 */
export function runWithTerminal(program: string, args: readonly string[], options: RunWithTerminalOptions = {}): Promise<TerminalExit> {
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
		const [command, commandArgs] = options.exact ? viaShell(program, args, env, options.exact) : [program, args];
		const child = spawn(command, commandArgs, { stdio: 'inherit', env, ...(cwd === undefined ? {} : { cwd }), windowsHide: false });
		const forward = (signal: NodeJS.Signals) => {
			if (KEYBOARD_SIGNALS.has(signal) && inForegroundGroup()) return;
			child.kill(signal);
		};
		for (const signal of FORWARDED_SIGNALS) proc.on(signal, forward);
		const stopMirroring = mirrorJobControl(child, { inForegroundGroup });
		if (child.pid !== undefined) options.onSpawn?.(child.pid);
		let killer: NodeJS.Timeout | undefined;
		const end = () => {
			child.kill('SIGTERM');
			killer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
		};
		options.signal?.addEventListener('abort', end, { once: true });
		const cleanup = () => {
			for (const signal of FORWARDED_SIGNALS) proc.off(signal, forward);
			stopMirroring();
			options.signal?.removeEventListener('abort', end);
			clearTimeout(killer);
		};
		child.once('error', error => {
			cleanup();
			const code = (error as NodeJS.ErrnoException).code;
			if (code === 'ENOENT' || code === 'EACCES') reject(notFound(program, code, error));
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
	const pgrp = procStatField('self', 5);
	const tpgid = procStatField('self', 8);
	if (pgrp === undefined || tpgid === undefined) return Boolean(process.stdin.isTTY);
	return tpgid > 0 && tpgid === pgrp;
}
