import { describe, expect, it } from 'vitest';
import { closest } from '../../src/system/closest.js';

describe('closest', () => {
	it('the nearest candidate when it is a likely typo, else none', () => {
		const names = ['SAFE_DOCKER_HOME', 'SAFE_DOCKER_CONFIG', 'SAFE_DOCKER_LANES_MUTATE_MAX_CONCURRENT'];
		expect(closest('SAFE_DOCKER_HOM', names)).toBe('SAFE_DOCKER_HOME');
		expect(closest('SAFE_DOCKER_LANES_MUTATE_MAXCONCURRENT', names)).toBe('SAFE_DOCKER_LANES_MUTATE_MAX_CONCURRENT');
		expect(closest('SAFE_DOCKER_SOMETHING_ELSE_ENTIRELY', names)).toBeUndefined();
		expect(closest('x', [])).toBeUndefined();
	});
});
