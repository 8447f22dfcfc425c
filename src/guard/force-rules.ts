/**
 * The commands whose `--force` the guard refuses, with what the flag risks and the safe way to get the job
 * done. One row per command that defines `-f/--force` (shared/research/docker-flags.md §1: 21 of them, from
 * docker/cli cli/command/**, docker/compose cmd/compose/remove.go and docker/buildx commands/{prune,rm}.go).
 */
export interface ForceRule {
	/** What the flag does here, in one line a user reads. */
	readonly risk: string;
	/**
	 * The safe alternative: `remove` is `safe-docker guard remove` on the same containers; `cleanup` is
	 * `safe-docker cleanup --dry-run` with the matching options (a prune without `-f` prompts, and in CI reads
	 * nothing and does nothing); `without-force` is the same command without the flag, which asks before
	 * deleting (or fails safely).
	 */
	readonly alternative: 'remove' | 'cleanup' | 'without-force';
}

const SKIPS_PROMPT = 'deletes without asking for confirmation';

export const FORCE_RULES: Readonly<Record<string, ForceRule>> = {
	'container rm': { risk: 'kills a running container with SIGKILL; its work and logs are lost', alternative: 'remove' },
	'container prune': { risk: `${SKIPS_PROMPT}: every stopped container`, alternative: 'cleanup' },
	'image rm': { risk: 'removes an image even while containers use it, and every tag it has', alternative: 'without-force' },
	'image prune': { risk: `${SKIPS_PROMPT}: dangling images (with -a, every unused image)`, alternative: 'cleanup' },
	'network rm': { risk: 'hides a mistyped or already missing network instead of failing', alternative: 'without-force' },
	'network prune': { risk: `${SKIPS_PROMPT}: every unused network`, alternative: 'cleanup' },
	'network disconnect': { risk: 'tears a container off a network even where the daemon would refuse', alternative: 'without-force' },
	'volume rm': { risk: 'removes volumes and the data in them without the usual checks', alternative: 'without-force' },
	'volume prune': { risk: `${SKIPS_PROMPT}: unused volumes and all their data`, alternative: 'cleanup' },
	'plugin rm': { risk: 'removes a plugin that is still enabled and in use', alternative: 'without-force' },
	'plugin disable': { risk: 'disables a plugin that is still in use', alternative: 'without-force' },
	'node rm': { risk: 'removes a swarm node that may still be running tasks', alternative: 'without-force' },
	'swarm leave': { risk: 'leaves the swarm even when that loses a manager or the quorum', alternative: 'without-force' },
	'context rm': { risk: 'removes the context currently in use', alternative: 'without-force' },
	'system prune': { risk: `${SKIPS_PROMPT}: stopped containers, unused networks, images and build cache`, alternative: 'cleanup' },
	'builder prune': { risk: `${SKIPS_PROMPT}: the build cache`, alternative: 'cleanup' },
	'service update': { risk: 'restarts every task of the service even when nothing changed', alternative: 'without-force' },
	'trust signer remove': { risk: 'removes the most recent signer without asking', alternative: 'without-force' },
	'compose rm': { risk: `${SKIPS_PROMPT}: the service containers`, alternative: 'without-force' },
	'buildx prune': { risk: `${SKIPS_PROMPT}: the build cache`, alternative: 'cleanup' },
	'buildx rm': { risk: 'removes a builder without asking', alternative: 'without-force' },
};
