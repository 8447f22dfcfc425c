/** The result of a docker call whose output safe-docker reads itself. */
export interface DockerResult {
	readonly exitCode: number;
	readonly stdout: string;
	readonly stderr: string;
}

/** Runs docker for safe-docker's own commands (guard remove, the rm -f rewrite): output captured, never a shell. */
export type DockerClient = (args: readonly string[]) => Promise<DockerResult>;

/**
 * @param timeoutMs kill docker after this long (the CLI waits forever on a wedged daemon); its result is
 * then exit code 124 with a message, as timeout(1) reports it.
 */
export function dockerClient(docker: string, env: NodeJS.ProcessEnv, timeoutMs?: number): DockerClient {
	return async args => {
		const { execa } = await import('execa');
		const result = await execa(docker, args, {
			env,
			extendEnv: false,
			reject: false,
			stdin: 'ignore',
			encoding: 'utf8',
			...(timeoutMs === undefined ? {} : { timeout: timeoutMs }),
		});
		if (result.timedOut)
			return {
				exitCode: 124,
				stdout: String(result.stdout ?? ''),
				stderr: `docker ${args.slice(0, 2).join(' ')} did not finish within ${timeoutMs} ms`,
			};
		if (result.failed && result.exitCode === undefined) throw result;
		return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout), stderr: String(result.stderr) };
	};
}
