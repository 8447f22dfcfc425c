// safe-docker against docker itself: the same stdout, stderr (bytes) and exit code for each command line, except
// where the README documents a difference (refusals, and safe-docker's own lines on stderr: of these lines, only
// the data-loss guard's warning before `rm -v`, which must then be followed by docker's own stderr, byte for byte).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, isolatedEnv, tempDir } from '../fixtures/cli.js';
import { requireEngine, TEST_IMAGE } from '../fixtures/engine.js';

const engine = await requireEngine();

/** Command lines in bash syntax, after the program name; `$I` is the test image. */
const LINES = [
	'--version',
	'-v',
	'--help',
	'ps --help',
	'login --help',
	'run --help',
	'container',
	'nosuchcommand',
	'ps --no-such-flag',
	'run --name',
	"version --format '{{.Client.Version}}'",
	"version --format '{{.Server.APIVersion}}'",
	'context ls',
	'context show',
	"--context default ps --filter name=sd-differential-none --format '{{.Names}}'",
	'-H unix:///var/run/docker.sock ps -q --filter name=sd-differential-none',
	'ps -q --filter name=sd-differential-none',
	'images --format \'{{.Repository}}:{{.Tag}}\' "$I"',
	'image inspect --format \'{{.Os}}\' "$I"',
	'image inspect sd-differential-no-such-image',
	"image inspect $'\\xff\\xfe'",
	'inspect sd-differential-no-such-container',
	'rm sd-differential-no-such-container',
	'volume ls -q --filter name=sd-differential-none',
	'run --rm --network none "$I" sh -c \'echo out; echo err >&2; exit 3\'',
	'run --rm --network none "$I" printf \'caf\\351\\n\'',
	"run --rm --network none \"$I\" echo $'caf\\xe9' 'a b' '' '%s'",
	'run --rm --network none -e V "$I" sh -c \'printf %s "$V"\'',
	'run --rm --network none "$I" sh -c \'kill -TERM $$\'',
	'run --rm --network none -i "$I" cat < /etc/hostname',
	"cp $'/nonexistent/caf\\xe9.txt' sd-differential-none:/x",
	'run --rm --network none --env-file $\'/nonexistent/env\\xe9\' "$I" true',
	"system info --format '{{.OSType}}'",
	"system df --format '{{.Type}}'",
];

describe.skipIf(!engine)('differential: safe-docker and docker give the same bytes and exit code', () => {
	const dir = tempDir();
	// One environment for both; V is not UTF-8, as a user's variable may be.
	const env = isolatedEnv({ SAFE_DOCKER_HOME: join(dir, 'state'), I: TEST_IMAGE });
	const run = (program: string, line: string) => {
		const result = spawnSync('bash', ['-c', `V=$'a\\xffb' exec ${program} ${line}`], { env: env as NodeJS.ProcessEnv, timeout: 60_000 });
		return { exitCode: result.status, stdout: result.stdout, stderr: result.stderr };
	};

	it.each(LINES)('docker %s', line => {
		const docker = run('docker', line);
		// As users run it: through the bin's shebang, with node on PATH.
		const safe = run(`'${BIN}'`, line);
		expect(safe.exitCode).toBe(docker.exitCode);
		expect(safe.stdout.toString('latin1')).toBe(docker.stdout.toString('latin1'));
		expect(safe.stderr.toString('latin1')).toBe(docker.stderr.toString('latin1'));
	});

	it('docker rm -v: the documented data-loss warning (anonymous volumes), then docker exactly', () => {
		const line = 'rm -v sd-differential-no-such-container';
		const docker = run('docker', line);
		const safe = run(`'${BIN}'`, line);
		expect(safe.exitCode).toBe(docker.exitCode);
		expect(safe.stdout.toString('latin1')).toBe(docker.stdout.toString('latin1'));
		const warning = safe.stderr.toString('latin1').slice(0, -docker.stderr.length);
		expect(safe.stderr.toString('latin1').endsWith(docker.stderr.toString('latin1'))).toBe(true);
		expect(warning).toMatch(
			/^safe-docker: warning: `docker rm -v \S+` destroys anonymous volumes \(-v\); running it \(dataLoss\.anonymous = warn\)\n/,
		);
	});
});
