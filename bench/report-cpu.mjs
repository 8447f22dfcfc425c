// Preloaded with `node --import` by the scan benchmark: reports this process's CPU time (user + system, ms) on exit.
import { appendFileSync } from 'node:fs';

const file = process.env.BENCH_CPU_FILE;
if (file)
	process.on('exit', () => {
		const { userCPUTime, systemCPUTime } = process.resourceUsage();
		appendFileSync(file, `${Math.round((userCPUTime + systemCPUTime) / 1000)}\n`);
	});
