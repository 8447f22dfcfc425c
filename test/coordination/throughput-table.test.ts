import { describe, expect, it } from 'vitest';
import { ThroughputTable } from '../../src/coordination/throughput-table.js';

describe('throughput table', () => {
	it('picks the smallest limit that delivered nearly the best', () => {
		const table = new ThroughputTable();
		table.add(2, 1.5, 1.3);
		table.add(3, 1.9, 1.6);
		table.add(4, 2.0, 2.0);
		expect(table.best()).toBe(3);
	});

	it('leaves out limits that stretched calls past the budget, however much they delivered', () => {
		const table = new ThroughputTable();
		table.add(2, 1.5, 1.3);
		table.add(6, 2.4, 3.1); // more delivered, but every call took 3× its baseline
		expect(table.best()).toBe(6);
		expect(table.best(2)).toBe(2);
		// Averaged with its next window, a limit's stretch comes within the budget again.
		table.add(6, 2.4, 0.9);
		expect(table.best(2)).toBe(6);
	});

	it('knows nothing within the budget when every limit stretched calls past it', () => {
		const table = new ThroughputTable();
		table.add(3, 1, 4);
		expect(table.best(2)).toBeUndefined();
	});
});
