// Throughput of `guard scan` on a large tree: files per second of wall time (start-up included) and, since
// the machine may be shared, files per second of the process's own CPU time; medians of 5 runs.
// The tree: every fixture of test/fixtures/scan (each file type the scanner reads) copied into 100
// directories, plus 1,500 generated 200-line shell scripts and Markdown pages, and files it skips.
// Usage: npm run bench   (BENCH_SCAN_RUNS=n to change the number of runs)
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './timing.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'safe-docker.js');
const runs = Number(process.env.BENCH_SCAN_RUNS ?? 5);
const tree = mkdtempSync(join(tmpdir(), 'safe-docker-bench-scan-'));

const fixtures = join(root, 'test', 'fixtures', 'scan');
for (let copy = 0; copy < 100; copy++) {
	for (const name of readdirSync(fixtures)) cpSync(join(fixtures, name), join(tree, `copy-${copy}`, name), { recursive: true });
}
const script = Array.from({ length: 200 }, (_, i) =>
	i % 20 === 0 ? `docker rm -f "web-${i}" 2>/dev/null || true` : `if [ -n "$X${i}" ]; then echo "$(date) step ${i}" | tee -a log; fi`,
).join('\n');
const page = Array.from({ length: 40 }, (_, i) => `## Step ${i}\n\nRun this:\n\n\`\`\`sh\ndocker compose logs -f app-${i}\n\`\`\`\n`).join(
	'\n',
);
mkdirSync(join(tree, 'generated'));
for (let i = 0; i < 1500; i++) {
	writeFileSync(join(tree, 'generated', i % 2 ? `task-${i}.sh` : `page-${i}.md`), i % 2 ? `#!/bin/sh\n${script}\n` : page);
	if (i % 10 === 0) writeFileSync(join(tree, 'generated', `data-${i}.txt`), 'not scanned\n');
}

const times = [];
const cpuFile = join(tree, '..', `safe-docker-bench-cpu-${process.pid}`);
let summary = '';
for (let i = 0; i < runs + 1; i++) {
	const start = process.hrtime.bigint();
	const result = spawnSync(process.execPath, ['--import', join(root, 'bench', 'report-cpu.mjs'), bin, 'guard', 'scan', '.'], {
		cwd: tree,
		encoding: 'utf8',
		maxBuffer: 1 << 28,
		env: { ...process.env, BENCH_CPU_FILE: i > 0 ? cpuFile : '' },
	});
	const ms = Number(process.hrtime.bigint() - start) / 1e6;
	if (result.status !== 1) throw new Error(`guard scan exited ${result.status}: ${result.stderr}`);
	summary = result.stderr.trim();
	if (i > 0) times.push(ms); // the first run warms the page cache
}
rmSync(tree, { recursive: true, force: true });
const cpuMs = median(readFileSync(cpuFile, 'utf8').trim().split('\n').map(Number));
rmSync(cpuFile, { force: true });

const files = Number(/in (\d+) files?/.exec(summary)[1]);
const ms = Math.round(median(times));
const filesPerSecond = Math.round((files / ms) * 1000);
const filesPerCpuSecond = Math.round((files / cpuMs) * 1000);
// The scanner before issue 15 did 400–800 files/s (about 520 per CPU-second here); the floor is on CPU time, which load does not skew.
const floor = 1000;
const results = {
	date: new Date().toISOString(),
	machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadAverage: loadavg()[0] },
	runs,
	summary,
	files,
	medianMs: ms,
	medianCpuMs: cpuMs,
	filesPerSecond,
	filesPerCpuSecond,
	floor: { filesPerCpuSecond: floor },
	pass: filesPerCpuSecond >= floor,
};
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'scan.json'), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(
	`guard scan: ${files} files in ${ms} ms wall, ${cpuMs} ms CPU (medians of ${runs}) = ${filesPerSecond} files/s, ${filesPerCpuSecond} files per CPU-second (floor ${floor}) ${results.pass ? 'PASS' : 'FAIL'}\n${summary}\n`,
);
