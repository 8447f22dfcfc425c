/** The result of a docker call whose output safe-docker reads itself. */
export interface DockerResult {
	readonly exitCode: number;
	readonly stdout: string;
	readonly stderr: string;
}

/** Runs docker for safe-docker's own commands (guard remove, the rm -f rewrite): output captured, never a shell. */
export type DockerClient = (args: readonly string[]) => Promise<DockerResult>;

export function dockerClient(docker: string, env: NodeJS.ProcessEnv): DockerClient {
	return async args => {
		const { execa } = await import('execa');
		const result = await execa(docker, args, { env, extendEnv: false, reject: false, stdin: 'ignore', encoding: 'utf8' });
		if (result.failed && result.exitCode === undefined) throw result;
		return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout), stderr: String(result.stderr) };
	};
}
