import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { knownApiVersion, learnApiVersion, rememberApiVersion } from '../../src/docker/api-version.js';
import { dockerClient } from '../../src/docker/client.js';
import { tempDir } from '../fixtures/cli.js';
import { requireEngine } from '../fixtures/engine.js';

const SOCKET = 'unix:///var/run/docker.sock';
const engine = await requireEngine();

describe('the API version in force', () => {
	it('is DOCKER_API_VERSION when set, whatever is cached', () => {
		const dir = tempDir();
		rememberApiVersion(dir, SOCKET, '1.47');
		expect(knownApiVersion({ DOCKER_API_VERSION: '1.41' }, dir, SOCKET)).toEqual({ version: '1.41', source: 'DOCKER_API_VERSION' });
		expect(knownApiVersion({ DOCKER_API_VERSION: 'v1.40' }, dir, SOCKET).version).toBe('1.40');
		expect(knownApiVersion({ DOCKER_API_VERSION: '' }, dir, SOCKET)).toEqual({ version: '1.47', source: 'negotiated' });
	});

	it("else the endpoint's cached negotiated version, for an hour; else unknown", () => {
		const dir = tempDir();
		const t = 1_000_000_000;
		rememberApiVersion(dir, SOCKET, '1.41', t);
		rememberApiVersion(dir, 'tcp://ci:2375', '1.44', t);
		expect(knownApiVersion({}, dir, SOCKET, t + 60_000)).toEqual({ version: '1.41', source: 'negotiated' });
		expect(knownApiVersion({}, dir, 'tcp://ci:2375', t)).toEqual({ version: '1.44', source: 'negotiated' });
		expect(knownApiVersion({}, dir, SOCKET, t + 3_600_000)).toEqual({ version: undefined, source: 'unknown' });
		expect(knownApiVersion({}, dir, 'unix:///other.sock', t)).toEqual({ version: undefined, source: 'unknown' });
		expect(knownApiVersion({}, undefined, SOCKET, t).source).toBe('unknown');
		expect(knownApiVersion({}, tempDir(), SOCKET, t).source).toBe('unknown');
	});

	it.skipIf(!engine)('is learned from docker itself (Client.APIVersion: what it negotiated) and cached', async () => {
		const dir = tempDir();
		const expected = (await execa('docker', ['version', '--format', '{{.Client.APIVersion}}'])).stdout.trim();
		const learned = await learnApiVersion(dockerClient('docker', process.env), dir, SOCKET);
		expect(learned).toBe(expected);
		expect(knownApiVersion({}, dir, SOCKET)).toEqual({ version: expected, source: 'negotiated' });
		// docker pinned lower: it negotiates nothing and reports the pin.
		const pinned = await learnApiVersion(dockerClient('docker', { ...process.env, DOCKER_API_VERSION: '1.40' }), dir, SOCKET);
		expect(pinned).toBe('1.40');
	});

	it('learns nothing when docker cannot tell', async () => {
		const dir = tempDir();
		const broken = dockerClient('docker', { ...process.env, DOCKER_HOST: 'unix:///nonexistent.sock' }, 5000);
		expect(await learnApiVersion(broken, dir, 'unix:///nonexistent.sock')).toBeUndefined();
		expect(knownApiVersion({}, dir, 'unix:///nonexistent.sock').source).toBe('unknown');
	});
});
