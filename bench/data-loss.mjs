// The data-loss guard's cost and guard backup's speed, measured side by side with interleaved runs:
// 1. `guard check -- ps` and a proxied `ps` (ratio to a bare node start), against a baseline build when
//    BENCH_BASELINE names another checkout's bin/safe-docker.js (e.g. main's, built);
// 2. `guard backup` of a volume against a raw `docker cp` of the same volume through the same never-started
//    helper (with and without the helper's create and rm), as MB/s.
// Usage: node bench/data-loss.mjs   (BENCH_RUNS: overhead rounds, default 30; BENCH_BACKUP_MB: default 200;
// BENCH_BACKUP_RUNS: default 5)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'safe-docker.js');
const baseline = process.env.BENCH_BASELINE;
const rounds = Number(process.env.BENCH_RUNS ?? 30);
const megabytes = Number(process.env.BENCH_BACKUP_MB ?? 200);
const backupRounds = Number(process.env.BENCH_BACKUP_RUNS ?? 5);
const docker = spawnSync('sh', ['-c', 'command -v docker'], { encoding: 'utf8' }).stdout.trim();
const home = mkdtempSync(join(tmpdir(), 'safe-docker-bench-'));
const env = { ...process.env, SAFE_DOCKER_DOCKER: docker, SAFE_DOCKER_HOME: join(home, 'state') };

const median = values => {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const round1 = value => Math.round(value * 10) / 10;

function timeOnce([command, args], options = {}) {
	const start = process.hrtime.bigint();
	const result = spawnSync(command, args, { env, stdio: 'ignore', ...options });
	if (result.error) throw result.error;
	if (result.status !== 0 && !options.anyExit) throw new Error(`${command} ${args.join(' ')} exited ${result.status}`);
	return Number(process.hrtime.bigint() - start) / 1e6;
}

function run(args, options = {}) {
	const result = spawnSync(docker, args, { encoding: 'utf8', ...options });
	if (result.status !== 0) throw new Error(`docker ${args.join(' ')}: ${result.stderr}`);
	return result.stdout.trim();
}

// 1. Overhead.
const commands = {
	'node -e 0': [process.execPath, ['-e', '0']],
	'guard check -- ps': [process.execPath, [bin, 'guard', 'check', '--', 'ps']],
	'guard check -- volume rm x': [process.execPath, [bin, 'guard', 'check', '--', 'volume', 'rm', 'x']],
	'safe-docker ps': [process.execPath, [bin, 'ps']],
	...(baseline
		? {
				'baseline guard check -- ps': [process.execPath, [baseline, 'guard', 'check', '--', 'ps']],
				'baseline safe-docker ps': [process.execPath, [baseline, 'ps']],
			}
		: {}),
};
for (let i = 0; i < 3; i++) for (const command of Object.values(commands)) timeOnce(command, { anyExit: true });
const samples = Object.fromEntries(Object.keys(commands).map(name => [name, []]));
for (let i = 0; i < rounds; i++) {
	for (const [name, command] of Object.entries(commands)) samples[name].push(timeOnce(command, { anyExit: true }));
}
const node = median(samples['node -e 0']);
const overhead = Object.fromEntries(
	Object.entries(samples).map(([name, values]) => [
		name,
		{ medianMs: round1(median(values)), ratioToNode: Math.round((median(values) / node) * 100) / 100 },
	]),
);

// 2. Backup throughput against raw docker cp.
let backup = null;
const engine = spawnSync(docker, ['version', '--format', '{{.Server.Version}} {{.Client.APIVersion}}'], {
	encoding: 'utf8',
	timeout: 5000,
});
if (engine.status === 0) {
	const volume = `safe-docker-bench-${process.pid}`;
	run(['volume', 'create', volume]);
	try {
		run([
			'run',
			'--rm',
			'--network',
			'none',
			'-v',
			`${volume}:/d`,
			'safe-docker-test/busybox:latest',
			'sh',
			'-c',
			`head -c ${megabytes}m /dev/urandom > /d/data`,
		]);
		// The scratch image exists after one backup; the raw runs use it too.
		spawnSync(process.execPath, [bin, 'guard', 'backup', volume, '--to', join(home, 'warm')], { env, stdio: 'ignore' });
		const times = { 'docker cp': [], 'create + docker cp + rm': [], 'guard backup': [] };
		for (let i = 0; i < backupRounds; i++) {
			const out = join(home, `raw-${i}.tar`);
			const helper = run(['container', 'create', '--network', 'none', '-v', `${volume}:/v:nocopy`, 'safe-docker/scratch:empty', '/none']);
			times['docker cp'].push(timeOnce(['sh', ['-c', `"${docker}" cp ${helper}:/v - > "${out}"`]]));
			run(['container', 'rm', helper]);
			rmSync(out);
			times['create + docker cp + rm'].push(
				timeOnce([
					'sh',
					[
						'-c',
						`c=$("${docker}" container create --network none -v ${volume}:/v:nocopy safe-docker/scratch:empty /none) && "${docker}" cp $c:/v - > "${out}" && "${docker}" container rm $c >/dev/null`,
					],
				]),
			);
			rmSync(out);
			const dir = join(home, `backup-${i}`);
			mkdirSync(dir);
			times['guard backup'].push(timeOnce([process.execPath, [bin, 'guard', 'backup', volume, '--to', dir]]));
			rmSync(dir, { recursive: true });
		}
		const bytes = megabytes * 1024 * 1024;
		const rate = ms => round1(bytes / 1e6 / (ms / 1000));
		backup = {
			megabytes,
			runs: backupRounds,
			medianMs: Object.fromEntries(Object.entries(times).map(([name, values]) => [name, round1(median(values))])),
			mbPerSecond: Object.fromEntries(Object.entries(times).map(([name, values]) => [name, rate(median(values))])),
			ratioToRawCp: Math.round((median(times['docker cp']) / median(times['guard backup'])) * 100) / 100,
			ratioToCreateCpRm: Math.round((median(times['create + docker cp + rm']) / median(times['guard backup'])) * 100) / 100,
		};
	} finally {
		spawnSync(docker, ['volume', 'rm', volume], { stdio: 'ignore' });
	}
}
rmSync(home, { recursive: true, force: true });

const results = {
	date: new Date().toISOString(),
	node: process.version,
	engine: engine.status === 0 ? engine.stdout.trim() : 'unavailable',
	rounds,
	overhead,
	backup,
};
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'data-loss.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results, null, 2));
