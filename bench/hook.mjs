// Start-up cost of `safe-docker guard hook <agent>` (one process, no broker, no docker call) against a
// proxied call (`safe-docker version`, which runs docker) and a bare node start, interleaved rounds.
// Usage: npm run bench   (BENCH_RUNS=n to change the number of rounds; default 30)
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, round1, timeOnce } from './timing.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'safe-docker.js');
const rounds = Number(process.env.BENCH_RUNS ?? 30);
const docker = spawnSync('sh', ['-c', 'command -v docker'], { encoding: 'utf8' }).stdout.trim();
const env = { ...process.env, SAFE_DOCKER_DOCKER: docker };
const payload = command => JSON.stringify({ hook_event_name: 'PreToolUse', cwd: root, tool_name: 'Bash', tool_input: { command } });

const commands = {
	'node -e 0': [process.execPath, ['-e', '0']],
	'safe-docker version (proxied)': [process.execPath, [bin, 'version']],
	'guard hook claude (allowed)': [
		process.execPath,
		[bin, 'guard', 'hook', 'claude'],
		payload('docker build -t app . && docker run --rm app npm test'),
	],
	'guard hook claude (refused)': [process.execPath, [bin, 'guard', 'hook', 'claude'], payload('docker ps -q | xargs docker rm -f')],
};

const timed = command => timeOnce(command, env);

for (let i = 0; i < 3; i++) for (const command of Object.values(commands)) timed(command);
const samples = Object.fromEntries(Object.keys(commands).map(name => [name, []]));
for (let i = 0; i < rounds; i++) for (const [name, command] of Object.entries(commands)) samples[name].push(timed(command));

const medians = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, round1(median(values))]));
const proxied = medians['safe-docker version (proxied)'];
const ratio = Math.round((medians['guard hook claude (refused)'] / proxied) * 100) / 100;
// "About one proxied call": the hook may cost at most 1.2 times `safe-docker version`.
const floor = 1.2;
const results = {
	date: new Date().toISOString(),
	machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadAverage: loadavg()[0] },
	rounds,
	medianMs: medians,
	hookToProxiedCall: ratio,
	floor: { hookToProxiedCall: floor },
	pass: ratio <= floor,
};
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'hook.json'), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(
	`${Object.entries(medians)
		.map(([name, ms]) => `${name}: ${ms} ms`)
		.join('\n')}\nhook ÷ proxied call: ${ratio} (floor ≤ ${floor}) ${results.pass ? 'PASS' : 'FAIL'}\n`,
);
