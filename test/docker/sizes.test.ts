import { describe, expect, it } from 'vitest';
import { formatBytes, parseDockerSize } from '../../src/docker/sizes.js';

describe('sizes as docker prints them', () => {
	it.each([
		['0B', 0],
		['512kB', 512_000],
		['1.2GB', 1_200_000_000],
		['1.984MB', 1_984_000],
		['2TB', 2e12],
		['15B', 15],
		['10B (66%)', 10],
		['1.5GiB', 1.5 * 2 ** 30],
		['512MiB', 512 * 2 ** 20],
		['3KiB', 3072],
		['1 GB', 1e9],
		['1.1KB', 1100],
	] as const)('%s is %d bytes', (text, bytes) => {
		expect(parseDockerSize(text)).toBe(bytes);
	});

	it.each(['', 'N/A', '--', 'GB', '1.2', '1.2XB'])('%j is not a size', text => {
		expect(parseDockerSize(text)).toBeUndefined();
	});

	it('formats bytes back in decimal units', () => {
		expect([0, 15, 1_984_000, 270_600_000_000].map(formatBytes)).toEqual(['0B', '15B', '1.984MB', '270.6GB']);
	});
});
