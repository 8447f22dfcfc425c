import { realpathSync } from 'node:fs';
import { type LoadedConfig, loadConfig } from '../config/load.js';
import { ensureStateDir, stateDir } from '../config/paths.js';
import { type BrokerStatus, brokerStatus } from '../coordination/broker-status.js';
import { type DockerClient, dockerClient } from '../docker/client.js';
import { locateDocker } from '../docker/locate.js';
import { once } from '../system/once.js';

/** What a command is run with: the process's world, injected so that tests can run commands in-process. */
export interface CommandIO {
	readonly env: NodeJS.ProcessEnv;
	readonly cwd: string;
	/** Path of the running safe-docker entry point. */
	readonly self: string;
	readonly stdout: Pick<NodeJS.WriteStream, 'write'> & { readonly isTTY?: boolean };
	/** A terminal (`isTTY`) gets live status lines; anything else one plain line. */
	readonly stderr: Pick<NodeJS.WriteStream, 'write'> & { readonly isTTY?: boolean };
}

/**
 * A command's context: its IO, and what every command resolves the same way — the configuration, the real
 * docker, the state directory and the broker's status — each worked out once, when first asked for.
 */
export interface CommandContext extends CommandIO {
	loaded(): Promise<LoadedConfig>;
	/** Path of the real docker, as the proxy would run it. */
	dockerPath(): Promise<string>;
	docker(timeoutMs?: number): Promise<DockerClient>;
	/** The state directory, created and checked (private, ours, writable). */
	stateDir(): string;
	/** The running broker's status and statistics now, or undefined when none runs; never starts one. */
	broker(): Promise<BrokerStatus | undefined>;
}

export function commandContext(io: CommandIO): CommandContext {
	const loaded = once(async () => {
		const result = await loadConfig({ cwd: io.cwd, env: io.env });
		for (const line of result.warnings) io.stderr.write(`${line}\n`);
		return result;
	});
	const dockerPath = once(async () => {
		const { config, origins } = await loaded();
		return locateDocker({
			configured: config.docker.path,
			configuredFrom: origins.get('docker.path'),
			self: realSelf(io.self),
			env: io.env,
		});
	});
	const dir = once(() => ensureStateDir(stateDir(io.env)));
	return {
		...io,
		loaded,
		dockerPath,
		docker: async timeoutMs => dockerClient(await dockerPath(), io.env, timeoutMs),
		stateDir: dir,
		broker: () => brokerStatus(stateDir(io.env)),
	};
}

function realSelf(self: string): string {
	try {
		return realpathSync(self);
	} catch {
		return self;
	}
}
