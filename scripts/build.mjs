// Bundles the CLI into dist/ with esbuild.
// - dist/cli.cjs: the proxy path, what every aliased `docker ps` loads. CommonJS, because Node loads it without
//   starting its ES module loader (about 5 ms on every call). Our own lazily imported modules are inlined and
//   initialised on first use; the packages they need (cosmiconfig, execa, ioredis in fleet mode, proper-lockfile, yaml) are
//   required from node_modules only then, and the guard commands are a separate bundle.
// - dist/guard.js and dist/broker.js: ES modules with shared chunks, loaded only by `safe-docker guard …`
//   and by the broker process.

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const common = {
	bundle: true,
	platform: 'node',
	target: 'node20',
	minify: true,
	sourcemap: 'linked',
	legalComments: 'none',
	define: { __SAFE_DOCKER_VERSION__: JSON.stringify(version) },
	logLevel: 'warning',
};

/** In the proxy bundle: the guard commands load ./guard.js, and packages imported lazily stay lazy. */
const proxyBoundaries = {
	name: 'proxy-boundaries',
	setup(builder) {
		builder.onResolve({ filter: /^\.\/cli\/guard\.js$/ }, () => ({ path: './guard.js', external: true }));
		builder.onResolve({ filter: /^(cosmiconfig|execa|ioredis|proper-lockfile|yaml)(\/|$)/ }, args => ({ path: args.path, external: true }));
	},
};

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
	...common,
	entryPoints: { cli: 'src/main.ts' },
	outdir: 'dist',
	outExtension: { '.js': '.cjs' },
	format: 'cjs',
	define: { ...common.define, 'import.meta.url': '__importMetaUrl' },
	banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
	plugins: [proxyBoundaries],
});
await build({
	...common,
	entryPoints: { guard: 'src/cli/guard.ts', broker: 'src/coordination/broker-main.ts' },
	outdir: 'dist',
	splitting: true,
	format: 'esm',
	// cosmiconfig requires these lazily for code configs, which we never load.
	external: ['typescript', 'import-fresh'],
	// CommonJS dependencies (cosmiconfig) call require() for node built-ins.
	banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});

// Files derived from the key declarations (src/config/keys.ts): the JSON Schema editors use for
// guard.config.json, and guard.config.example.json.
for (const [entry, name, file] of [
	['src/config/json-schema.ts', 'jsonSchema', 'guard.config.schema.json'],
	['src/config/example.ts', 'exampleConfig', 'guard.config.example.json'],
]) {
	const bundled = await build({ entryPoints: [entry], bundle: true, write: false, format: 'esm', platform: 'node', logLevel: 'warning' });
	const module = await import(`data:text/javascript;base64,${Buffer.from(bundled.outputFiles[0].text).toString('base64')}`);
	writeFileSync(new URL(`../${file}`, import.meta.url), `${JSON.stringify(module[name](), null, '\t')}\n`);
}
