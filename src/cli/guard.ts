import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { auditCommand } from '../commands/audit.js';
import { brokerCommand } from '../commands/broker.js';
import { checkCommand } from '../commands/check.js';
import { type CleanupOptions, cleanupCommand, type DiskPercent } from '../commands/cleanup.js';
import { configCommand } from '../commands/config.js';
import { type CommandIO, commandContext } from '../commands/context.js';
import { type HealthOptions, healthCommand, healthReport } from '../commands/health-report.js';
import { type HookOptions, hookCommand } from '../commands/hook.js';
import { type LockCommandOptions, lockCommand, lockStatusCommand, unlockCommand } from '../commands/lock.js';
import { removeCommand } from '../commands/remove.js';
import { scanCommand } from '../commands/scan-code.js';
import { statsCommand } from '../commands/stats.js';
import { type BackupCommandOptions, backupCommand, restoreCommand } from '../commands/volume-backup.js';
import { exitCodeOf, formatError, HealthUnmeasured, UsageError } from '../errors.js';
import { VERSION } from '../version.js';

/** `safe-docker guard …`: safe-docker's own commands. Resolves to the exit code. */
export async function runGuard(argv: readonly string[], io: CommandIO): Promise<number> {
	const context = commandContext(io);
	let exitCode = 0;
	const program = new Command('safe-docker guard')
		.description("safe-docker's own commands. Any other `safe-docker <args>` runs docker with those args.")
		.version(VERSION, '-V, --version', "print safe-docker's version (`safe-docker --version` is docker's)")
		.configureOutput({
			writeOut: text => context.stdout.write(text),
			writeErr: text => context.stderr.write(text),
			// One line, like every other safe-docker error.
			outputError: (text, write) => write(`safe-docker: ${text.replace(/^error: /, '').trim()} (see safe-docker guard --help)\n`),
		})
		.exitOverride();

	program.enablePositionalOptions();

	program
		.command('check')
		.description("print the guard's verdict on a docker command line without running it (exit 0 allowed, 77 rejected)")
		.argument('<docker-args...>', 'the docker argv, after --  (e.g. safe-docker guard check -- rm -f web)')
		.option(
			'--json',
			'print the verdict as JSON: command path, lane, hold (the whole call, or a start-up lease), decision, flag, reason, alternative',
		)
		.passThroughOptions()
		.action(async (args: string[], options: { json?: boolean }) => {
			exitCode = await checkCommand(args, options, context);
		});

	program
		.command('scan')
		.description(
			'find forced docker calls, and calls that destroy volume data (named volumes refused by dataLoss fail the scan; loss it only warns about, anonymous by default, is listed), before they run, in shell scripts (.sh, .bats, shebang files), Makefiles, justfiles, Dockerfiles, CI and Taskfile YAML, package.json scripts, Markdown/AsciiDoc code, Robot, Jenkinsfile, PowerShell, and argv lists and shell strings in JS/TS/Python/Go; each with a safe alternative to paste in its place; exit 1 when a forced call or refused data loss is found, 2 when a named file cannot be scanned. A comment `safe-docker: allow-force <reason>` on the line (or above) suppresses one finding',
		)
		.argument('[paths...]', 'files or directories (default: .), directories walked respecting .gitignore and .git/info/exclude')
		.option('--json', 'print the findings as JSON')
		.action(async (paths: string[], options: { json?: boolean }) => {
			exitCode = await scanCommand(paths, options, context);
		});

	program
		.command('hook')
		.description(
			"pre-execution hook for a coding agent: reads the agent's JSON on stdin and refuses forced docker/podman/nerdctl calls anywhere in the shell command, and calls that destroy named volumes (dataLoss), with the safe alternative (for a volume, a backup first) as the reason",
		)
		.argument('<agent>', 'claude, codex, gemini, copilot or cursor')
		.option('--install', "merge the hook into the agent's config file (idempotent; shows the diff)")
		.option('--test', 'feed sample payloads through the installed hook commands and report whether they really block')
		.option('--project', 'with --install/--test: the project file (default)')
		.option('--user', 'with --install/--test: the per-user file')
		.action(async (agent: string, options: HookOptions) => {
			exitCode = await hookCommand(agent, options, context);
		});

	program
		.command('remove')
		.description(
			'remove containers safely: graceful stop (SIGTERM, then SIGKILL after --time; exit code 137 is reported as killed), verify, rm without force; a live line shows the stop on a terminal',
		)
		.argument('<container...>', 'container names or IDs')
		.option('-t, --time <seconds>', 'seconds to wait for a graceful stop (default: remove.stopTimeoutSeconds, 10)', parseSeconds)
		.option('-v, --volumes', "also remove the containers' anonymous volumes")
		.option('--json', 'print the outcomes as JSON')
		.action(async (names: string[], options: { time?: number; volumes?: boolean; json?: boolean }) => {
			exitCode = await removeCommand(names, options, context);
		});

	program
		.command('audit')
		.description('show recent guard decisions from the audit log (rejections, rewrites, warnings, overrides)')
		.option('--since <when>', 'only entries since a duration ago (30m, 24h, 7d) or a date')
		.option('--limit <n>', 'at most this many entries, the newest (default 50)', parseCount)
		.option('--json', 'print the entries as JSON')
		.action(async (options: { since?: string; limit?: number; json?: boolean }) => {
			exitCode = await auditCommand(options, context);
		});

	program
		.command('lock')
		.usage('<env> [--timeout DUR] [--reason TEXT] [--json] -- <command…>\n       safe-docker guard lock status [env] [--json]')
		.description(
			"run a command holding an environment's lock, like flock(1): wait for it, run, release on every way out, exit with the command's code; `lock status` lists the locks. In fleet mode (fleet.redis set) the locks are in the fleet's Redis: one holder across every host, a dead host's lock free within fleet.leaseMs, `lock status` lists the holders on every host with their lease; Redis unreachable: fleet.onUnavailable (local: this host's lock directory, one line on stderr; fail: exit 69)",
		)
		.argument('<env>', 'environment name (letters, digits, ".", "_", "-"), or `status`')
		.argument('[command...]', 'the command to run, after --')
		.option('--timeout <duration>', 'give up waiting after this long (90s, 10m, 1h); exit 75')
		.option('--reason <text>', 'why you hold it: shown to whoever waits')
		.option(
			'--json',
			"report the lock's events (waiting, acquired, released, timeout) as JSON lines on stderr; lock status: print the locks as JSON",
		)
		.action(async (env: string, command: string[], options: LockCommandOptions & { json?: boolean }) => {
			exitCode =
				env === 'status' && !argv.includes('--')
					? await lockStatusCommand(command[0], options, context)
					: await lockCommand(env, command, options, context);
		});

	program
		.command('unlock')
		.description(
			"release a stuck environment lock (needs --force); says what it released, and is audited. In fleet mode it is deleted in the fleet's Redis, whichever host holds it, and its holder is told",
		)
		.argument('<env>', 'environment name')
		.option('--force', 'really release it, whoever holds it')
		.option('--reason <text>', 'why, for the audit log')
		.action(async (env: string, options: { force?: boolean; reason?: string }) => {
			exitCode = await unlockCommand(env, options, context);
		});

	program
		.command('cleanup')
		.description(
			"reclaim disk safely: plan from the engine's listings, then remove stopped containers older than a cutoff, dangling images, unused networks and build cache above its budget — never running containers, locked environments or anything labelled to keep, and named volumes only with --volumes=named and as the data-loss policy allows (or after a verified backup, --backup-to); without force. Exit 0 when all planned was done, 1 when something failed.",
		)
		.option('--dry-run', 'print the plan (what, why, size) and change nothing')
		.option(
			'--if-above <percent>',
			"run only when docker's disk use is at or above this % of its budget (for cron and CI schedules)",
			parsePercent,
		)
		.option('--older-than <duration>', 'stopped containers older than this (default: cleanup.olderThanMs, 24h)')
		.option('--images', 'also unused tagged images, least recently used first, until images fit in cleanup.imageBudgetBytes')
		.option('--volumes [kind]', 'also unused anonymous volumes; --volumes=named includes named ones')
		.option(
			'--backup-to <dir>',
			'volumes the data-loss policy refuses (named ones, by default) are backed up here first and removed only after a verified backup; without it they are spared',
		)
		.option('--label <key[=value]>', 'only resources carrying this label, e.g. ci-job=1234 (leaves the build cache alone)')
		.option('--json', 'print the plan and the results as JSON')
		.action(async (options: CleanupOptions) => {
			exitCode = await cleanupCommand(options, context, diskPercent);
		});

	program
		.command('backup')
		.description(
			'back up volumes before anything removes them: one archive (tar) plus a manifest (name, driver, labels, size, sha256, engine, time) per volume, verified after writing, never overwriting; needs only the docker binary (no image from a registry, no tools in a container). Exit 0 all backed up, 1 any failed, 130 interrupted',
		)
		.argument('[volumes...]', 'volume names')
		.option(
			'--compose',
			"also the named volumes the compose file here declares (not external ones): -f/COMPOSE_FILE/compose.yaml, the project's prefix",
		)
		.option('--to <dir>', 'where the archives go (default: <state dir>/backups)')
		.option('--json', 'print the manifests, with the archive paths, as JSON')
		.action(async (volumes: string[], options: BackupCommandOptions) => {
			exitCode = await backupCommand(volumes, options, context);
		});

	program
		.command('restore')
		.description(
			"restore a volume from an archive of `guard backup`: the archive is checked against its manifest first; the volume (the backup's name, or --as) must be missing — it is created with the backup's driver and labels — or empty. Exit 0 restored, 1 refused or failed, 130 interrupted",
		)
		.argument('<archive>', 'the .tar written by guard backup (its .json manifest beside it), or the manifest')
		.option('--as <name>', 'restore into this volume instead')
		.option('--json', 'print the result as JSON')
		.action(async (archive: string, options: { as?: string; json?: boolean }) => {
			exitCode = await restoreCommand(archive, options, context);
		});

	program
		.command('health')
		.description(
			'the daemon (reachable? ping, version, breaker) and its resources — disk, data-root file system, containers, memory, networks, volumes — graded SAFE < 50 % ≤ WARNING < 75 % ≤ CRITICAL < 90 % ≤ EMERGENCY; a measurement that fails is UNKNOWN, never SAFE. Exit 0 SAFE/WARNING, 2 UNKNOWN, 3 CRITICAL, 4 EMERGENCY, 5 daemon unreachable',
		)
		.option('--json', 'print the report as JSON')
		.option(
			'--watch [seconds]',
			'measure again every few seconds (default 5): redrawn on a terminal, one line each time otherwise',
			parseInterval,
		)
		.action(async (options: HealthOptions) => {
			exitCode = await healthCommand(options, context);
		});

	program
		.command('stats')
		.description(
			'the shared statistics: calls, failures by kind, waits (p50/p95/max), running, queued and the limit per lane (an adaptive lane: its baseline and recent latency per class, and why its limit last changed), guard rejections; in fleet mode, its hosts and the permits held fleet-wide',
		)
		.option('--json', 'print them as JSON')
		.option('--prometheus', 'print them in the Prometheus text format (for a node_exporter textfile collector)')
		.option('--reset', 'start counting afresh')
		.action(async (options: { json?: boolean; prometheus?: boolean; reset?: boolean }) => {
			exitCode = await statsCommand(options, context);
		});

	program
		.command('broker')
		.description(
			'the per-user broker that holds the cross-process limits: status (in fleet mode also its membership, the hosts and the permits held fleet-wide), or stop it (the next call starts a new one)',
		)
		.argument('<action>', 'status | stop')
		.option('--json', 'print the status (pid, version, socket, lanes, fleet) or what was stopped as JSON')
		.action(async (action: string, options: { json?: boolean }) => {
			if (action !== 'status' && action !== 'stop')
				throw new UsageError(`unknown broker action ${JSON.stringify(action)}: use status or stop`);
			exitCode = await brokerCommand(action, options, context);
		});

	program
		.command('config')
		.description('print the effective configuration and where each value came from')
		.option('--json', 'print it as JSON')
		.action(async (options: { json?: boolean }) => {
			exitCode = await configCommand(options, context);
		});

	try {
		await program.parseAsync([...argv], { from: 'user' });
		return exitCode;
	} catch (error) {
		if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 64;
		context.stderr.write(`${formatError(error)}\n`);
		return exitCodeOf(error);
	}
}

function parseSeconds(text: string): number {
	const value = Number(text);
	if (!Number.isInteger(value) || value < 0 || value > 3600) throw new InvalidArgumentError('expected whole seconds from 0 to 3600');
	return value;
}

function parseCount(text: string): number {
	const value = Number(text);
	if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
	return value;
}

function parsePercent(text: string): number {
	const value = Number(text.replace(/%$/, ''));
	if (!Number.isFinite(value) || value < 0 || value > 100) throw new InvalidArgumentError('expected a percentage from 0 to 100');
	return value;
}

function parseInterval(text: string): number {
	const value = Number(text);
	if (!Number.isFinite(value) || value < 0.5 || value > 3600) throw new InvalidArgumentError('expected seconds from 0.5 to 3600');
	return value;
}

/** `cleanup --if-above`: docker's disk use as a percentage of its budget, as `guard health` measures it. */
const diskPercent: DiskPercent = async (docker, context) => {
	const report = await healthReport(context, docker);
	const disk = report.measurements.find(measurement => measurement.id === 'disk');
	if (disk?.percent === null || disk?.percent === undefined) {
		throw new HealthUnmeasured(
			`cannot tell docker's disk use (${report.daemon.problem ?? disk?.note ?? 'no measurement'}); not cleaning on a guess`,
		);
	}
	return disk.percent;
};
