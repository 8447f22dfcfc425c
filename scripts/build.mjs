// Bundles the CLI into dist/ with esbuild: one file for the proxy path (what every aliased `docker ps`
// loads), and lazily loaded chunks for everything it does not need (commander, the guard commands).
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
	entryPoints: { cli: 'src/main.ts', broker: 'src/coordination/broker-main.ts' },
	outdir: 'dist',
	bundle: true,
	splitting: true,
	format: 'esm',
	platform: 'node',
	target: 'node20',
	minify: true,
	sourcemap: 'linked',
	legalComments: 'none',
	define: { __SAFE_DOCKER_VERSION__: JSON.stringify(version) },
	// cosmiconfig requires these lazily for code configs, which we never load.
	external: ['typescript', 'import-fresh'],
	// CommonJS dependencies (cosmiconfig) call require() for node built-ins.
	banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
	logLevel: 'warning',
});

// The JSON Schema editors use for guard.config.json, generated from the same key list the validator uses.
const schemaModule = await build({ entryPoints: ['src/config/json-schema.ts'], bundle: true, write: false, format: 'esm', platform: 'node', logLevel: 'warning' });
const { jsonSchema } = await import(`data:text/javascript;base64,${Buffer.from(schemaModule.outputFiles[0].text).toString('base64')}`);
writeFileSync(new URL('../guard.config.schema.json', import.meta.url), `${JSON.stringify(jsonSchema(), null, '\t')}\n`);
