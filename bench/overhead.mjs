// Start-up overhead of safe-docker against raw docker and a bare node start, measured side by side.
// Runs are interleaved (one of each command per round) so machine noise hits every command alike.
// Usage: npm run bench   (BENCH_RUNS=n to change the number of rounds; default 30)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, round1, timeOnce } from './timing.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'safe-docker.js');
const rounds = Number(process.env.BENCH_RUNS ?? 30);
const docker = spawnSync('sh', ['-c', 'command -v docker'], { encoding: 'utf8' }).stdout.trim();
if (!docker) {
	console.error('bench: no docker on PATH');
	process.exit(1);
}
const env = { ...process.env, SAFE_DOCKER_DOCKER: docker };
const engineUp = spawnSync(docker, ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 5000 });
const engine = engineUp.status === 0 ? engineUp.stdout.trim() : 'unavailable';

const commands = {
	'node -e 0': [process.execPath, ['-e', '0']],
	'docker version': [docker, ['version']],
	'safe-docker version': [process.execPath, [bin, 'version']],
	'docker ps': [docker, ['ps']],
	'safe-docker ps': [process.execPath, [bin, 'ps']],
};

const timed = command => timeOnce(command, env);

// Warm the page cache first; these runs are not counted.
for (let i = 0; i < 3; i++) for (const command of Object.values(commands)) timed(command);
const samples = Object.fromEntries(Object.keys(commands).map(name => [name, []]));
for (let i = 0; i < rounds; i++) {
	for (const [name, command] of Object.entries(commands)) samples[name].push(timed(command));
}

// Peak RSS of the node process itself (safe-docker's own memory, not docker's), via a preloaded reporter.
function peakRssMb(args) {
	const file = join(tmpdir(), `safe-docker-bench-rss-${process.pid}`);
	rmSync(file, { force: true });
	for (let i = 0; i < 10; i++) {
		spawnSync(process.execPath, ['--import', join(root, 'bench', 'report-rss.mjs'), ...args], {
			env: { ...env, BENCH_RSS_FILE: file },
			stdio: 'ignore',
		});
	}
	const kb = readFileSync(file, 'utf8').trim().split('\n').map(Number);
	rmSync(file, { force: true });
	return round1(median(kb) / 1024);
}

const medians = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, round1(median(values))]));
const nodeStart = medians['node -e 0'];
const added = name => round1(medians[`safe-docker ${name}`] - medians[`docker ${name}`]);
const ratio = name => Math.round((added(name) / nodeStart) * 100) / 100;
const rss = { 'node -e 0': peakRssMb(['-e', '0']), 'safe-docker ps': peakRssMb([bin, 'ps']) };

const floors = { ratio: 1.5, rssMb: 60 };
const results = {
	date: new Date().toISOString(),
	machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
	docker: { path: docker, engine },
	rounds,
	medianMs: medians,
	addedMs: { version: added('version'), ps: added('ps') },
	ratioAddedToNodeStart: { version: ratio('version'), ps: ratio('ps') },
	peakRssMb: rss,
	floors,
	pass: ratio('version') <= floors.ratio && ratio('ps') <= floors.ratio && rss['safe-docker ps'] <= floors.rssMb,
};

const table = [
	`# Start-up overhead (${results.date})`,
	'',
	`${rounds} interleaved rounds on ${results.machine.cpus} × ${results.machine.model}, node ${process.version}, docker engine ${engine}.`,
	'',
	'| command | median ms |',
	'|---|---|',
	...Object.entries(medians).map(([name, ms]) => `| ${name} | ${ms} |`),
	'',
	`Added latency: version ${added('version')} ms, ps ${added('ps')} ms; ÷ bare node start (${nodeStart} ms): version ${ratio('version')}, ps ${ratio('ps')} (floor ≤ ${floors.ratio}).`,
	`Peak RSS: safe-docker ps ${rss['safe-docker ps']} MB, node -e 0 ${rss['node -e 0']} MB (floor ≤ ${floors.rssMb} MB).`,
	`Result: ${results.pass ? 'PASS' : 'FAIL'}`,
	'',
].join('\n');

mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'overhead.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(root, 'bench', 'results', 'overhead.md'), table);
process.stdout.write(table);
