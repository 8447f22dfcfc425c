import { defineConfig } from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.ts'],
		setupFiles: ['test/fixtures/setup.ts'],
		globalSetup: ['test/fixtures/global-setup.ts'],
		reporters: ['default', './test/fixtures/summary-reporter.ts'],
		// Tests spawn real processes and talk to one real engine: separate processes, modest parallelism.
		pool: 'forks',
		poolOptions: { forks: { maxForks: 2 } },
		testTimeout: 60_000,
		hookTimeout: 120_000,
	},
});
