import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Stop signals a terminal sends to the whole foreground process group (Ctrl-Z, background reads and writes). */
const STOP_SIGNALS = ['SIGTSTP', 'SIGTTIN', 'SIGTTOU'] as const;

export interface JobControlOptions {
	/** True when the signal came from the terminal, which sent it to docker as well. */
	readonly inForegroundGroup: () => boolean;
	// For testing
	readonly process?: Pick<NodeJS.Process, 'on' | 'off' | 'kill' | 'pid'>;
	readonly stateOf?: (pid: number) => string | undefined;
	readonly pollMs?: number;
	readonly settleMs?: number;
}

/**
 * Makes safe-docker look to the shell as docker does on job-control signals. Node would stop on Ctrl-Z by
 * default while `docker run` (without -t) catches SIGTSTP, passes it to the container and keeps running —
 * the shell would report the job stopped and print its prompt under docker's output. Instead, on a stop
 * signal safe-docker watches docker for a moment and stops itself only if docker did; SIGCONT is passed on.
 * Returns the function that removes the handlers.
 */
export function mirrorJobControl(child: ChildProcess, options: JobControlOptions): () => void {
	const { inForegroundGroup, process: proc = process, stateOf = procState, pollMs = 20, settleMs = 300 } = options;
	let watching: NodeJS.Timeout | undefined;
	const onStop = (signal: NodeJS.Signals) => {
		// Sent to us alone (kill -TSTP): docker has not seen it.
		if (signal === 'SIGTSTP' && !inForegroundGroup()) child.kill(signal);
		clearInterval(watching);
		const until = Date.now() + settleMs;
		watching = setInterval(() => {
			const state = child.pid === undefined ? undefined : stateOf(child.pid);
			if (state === 'T' || state === 't') {
				clearInterval(watching);
				proc.kill(proc.pid, 'SIGSTOP');
			} else if (Date.now() >= until || state === undefined) clearInterval(watching);
		}, pollMs);
	};
	// A SIGCONT from `fg`/`bg` reaches docker too; one sent to us alone must, and a second one is harmless.
	const onContinue = () => child.kill('SIGCONT');
	for (const signal of STOP_SIGNALS) proc.on(signal, onStop);
	proc.on('SIGCONT', onContinue);
	return () => {
		clearInterval(watching);
		for (const signal of STOP_SIGNALS) proc.off(signal, onStop);
		proc.off('SIGCONT', onContinue);
	};
}

/** The state letter of /proc/<pid>/stat (R, S, D, T, t, Z…); undefined without /proc or without the process. */
function procState(pid: number): string | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat[stat.lastIndexOf(')') + 2];
	} catch {
		return undefined;
	}
}
