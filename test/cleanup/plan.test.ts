import { describe, expect, it } from 'vitest';
import { buildPlan, type Listings, type PlanOptions } from '../../src/cleanup/plan.js';
import type { ContainerInfo, ImageInfo } from '../../src/docker/listings.js';

const DAY = 86_400_000;
const now = Date.parse('2026-11-22T12:00:00Z');
const container = (id: string, status: string, daysAgo: number, extra: Partial<ContainerInfo> = {}): ContainerInfo => ({
	id,
	name: id,
	status,
	imageId: 'sha256:base',
	labels: {},
	stoppedAt: now - daysAgo * DAY,
	sizeBytes: 1000,
	networks: [],
	...extra,
});
const image = (id: string, extra: Partial<ImageInfo> = {}): ImageInfo => ({
	id,
	tags: [`${id}:latest`],
	sizeBytes: 100,
	labels: {},
	parent: '',
	lastUsed: now - DAY,
	dangling: false,
	...extra,
});

const options: PlanOptions = {
	now,
	olderThanMs: DAY,
	images: false,
	imageBudgetBytes: 1000,
	buildCacheBudgetBytes: 500,
	volumes: 'none',
	keepLabels: ['safe-docker.keep'],
	environmentLabel: 'safe-docker.env',
	isLocked: env => env === 'shop',
};
const empty: Listings = { containers: [], images: [], networks: [], volumes: [], usage: {} };
const ids = (list: ReadonlyArray<{ id: string }>) => list.map(entry => entry.id);

describe('buildPlan', () => {
	it('takes stopped containers older than the cutoff; never running, paused, new, kept or locked ones', () => {
		const plan = buildPlan(
			{
				...empty,
				containers: [
					container('old-exited', 'exited', 3),
					container('old-created', 'created', 2),
					container('old-dead', 'dead', 2),
					container('new-exited', 'exited', 0.5),
					container('running', 'running', 9),
					container('paused', 'paused', 9),
					container('kept', 'exited', 9, { labels: { 'safe-docker.keep': 'true' } }),
					container('kept-false', 'exited', 9, { labels: { 'safe-docker.keep': 'false' } }),
					container('locked-compose', 'exited', 9, { labels: { 'com.docker.compose.project': 'shop' } }),
					container('locked-label', 'exited', 9, { labels: { 'safe-docker.env': 'shop' } }),
					container('unlocked-compose', 'exited', 9, { labels: { 'com.docker.compose.project': 'blog' } }),
				],
			},
			options,
		);
		expect(ids(plan.items)).toEqual(['old-exited', 'old-created', 'old-dead', 'kept-false', 'unlocked-compose']);
		expect(Object.fromEntries(plan.spared.map(entry => [entry.id, entry.reason]))).toEqual({
			'new-exited': 'stopped 12 h ago, within 1 d',
			running: 'running',
			paused: 'paused',
			kept: 'labelled safe-docker.keep=true',
			'locked-compose': "environment 'shop' is locked",
			'locked-label': "environment 'shop' is locked",
		});
	});

	it('takes dangling images not used by a remaining container; unused tagged ones only with images, LRU, children first, down to the budget', () => {
		const listings: Listings = {
			...empty,
			containers: [container('keeps-base', 'running', 0), container('old', 'exited', 5, { imageId: 'sha256:freed' })],
			images: [
				image('sha256:base'),
				image('sha256:dangling', { tags: [], dangling: true }),
				image('sha256:freed', { tags: [], dangling: true }),
				image('sha256:parent', { lastUsed: now - 30 * DAY, sizeBytes: 400 }),
				image('sha256:child', { parent: 'sha256:parent', lastUsed: now - 2 * DAY, sizeBytes: 400 }),
				image('sha256:recent', { lastUsed: now - 1000, sizeBytes: 400 }),
				image('sha256:kept', { labels: { 'safe-docker.keep': 'true' }, lastUsed: 0 }),
			],
			usage: { Images: 2100 },
		};
		expect(ids(buildPlan(listings, options).items.filter(item => item.kind === 'image'))).toEqual(['sha256:dangling', 'sha256:freed']);
		const withImages = buildPlan(listings, { ...options, images: true, imageBudgetBytes: 1100 });
		// 2100 - 200 dangling = 1900 > 1100: the least recently used (parent) goes, its child first: 1100, within budget.
		expect(ids(withImages.items.filter(item => item.kind === 'image'))).toEqual([
			'sha256:dangling',
			'sha256:freed',
			'sha256:child',
			'sha256:parent',
		]);
		expect(withImages.items.find(item => item.id === 'sha256:child')?.tags).toEqual(['sha256:child:latest']);
	});

	it('takes unused networks, not builtin or attached ones; volumes only when asked, named ones only with named', () => {
		const listings: Listings = {
			...empty,
			containers: [container('web', 'running', 0, { networks: ['net-used'] })],
			networks: [
				{ id: 'net-bridge', name: 'bridge', labels: {}, builtin: true },
				{ id: 'net-used', name: 'used', labels: {}, builtin: false },
				{ id: 'net-free', name: 'free', labels: {}, builtin: false },
				{ id: 'net-shop', name: 'shop_default', labels: { 'com.docker.compose.project': 'shop' }, builtin: false },
			],
			volumes: [
				{ name: 'a'.repeat(64), labels: {}, anonymous: true, dangling: true },
				{ name: 'data', labels: {}, anonymous: false, dangling: true },
				{ name: 'in-use', labels: {}, anonymous: true, dangling: false },
			],
		};
		expect(ids(buildPlan(listings, options).items)).toEqual(['net-free']);
		expect(ids(buildPlan(listings, { ...options, volumes: 'anonymous' }).items)).toEqual(['net-free', 'a'.repeat(64)]);
		expect(buildPlan(listings, { ...options, volumes: 'anonymous' }).spared).toContainEqual({
			kind: 'volume',
			id: 'data',
			name: 'data',
			reason: 'named volume (only with --volumes=named)',
		});
		expect(ids(buildPlan(listings, { ...options, volumes: 'named' }).items)).toEqual(['net-free', 'a'.repeat(64), 'data']);
	});

	it('prunes build cache only above its budget, and never when scoped to a label', () => {
		expect(buildPlan({ ...empty, usage: { 'Build Cache': 400 } }, options).items).toEqual([]);
		expect(buildPlan({ ...empty, usage: { 'Build Cache': 1200 } }, options).items).toEqual([
			{ kind: 'build-cache', id: 'build-cache', name: 'build cache', reason: '1.2kB, above the 500B budget', sizeBytes: 700 },
		]);
		expect(buildPlan({ ...empty, usage: { 'Build Cache': 1200 } }, { ...options, label: 'job' }).items).toEqual([]);
	});

	it('--label scopes every kind of resource', () => {
		const plan = buildPlan(
			{
				...empty,
				containers: [
					container('mine', 'exited', 3, { labels: { job: '7' } }),
					container('theirs', 'exited', 3, { labels: { job: '8' } }),
					container('none', 'exited', 3),
				],
			},
			{ ...options, label: 'job=7' },
		);
		expect(ids(plan.items)).toEqual(['mine']);
		expect(plan.spared).toEqual([]);
	});
});

describe('listings', () => {
	it('skip what another process removed between the listing and the inspect', async () => {
		const { listContainers } = await import('../../src/docker/listings.js');
		const inspect = (id: string) => ({
			Id: id,
			Name: `/${id}`,
			State: { Status: 'exited', FinishedAt: '2026-11-20T00:00:00Z' },
			Created: '2026-11-19T00:00:00Z',
			Image: 'sha256:x',
			Config: { Labels: {} },
			SizeRw: 1,
			NetworkSettings: { Networks: {} },
		});
		const docker = async (args: readonly string[]) => {
			if (args[1] === 'ls') return { exitCode: 0, stdout: 'a\ngone\nb\n', stderr: '' };
			const ids = args.filter(arg => ['a', 'gone', 'b'].includes(arg));
			if (ids.includes('gone')) return { exitCode: 1, stdout: '', stderr: 'Error: No such object: gone' };
			return { exitCode: 0, stdout: JSON.stringify(ids.map(inspect)), stderr: '' };
		};
		expect((await listContainers(docker)).map(container => container.id)).toEqual(['a', 'b']);
	});
});
