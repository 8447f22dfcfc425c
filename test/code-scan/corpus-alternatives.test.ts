import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanText } from '../../src/code-scan/scan.js';
import { scanPaths } from '../../src/code-scan/scan-paths.js';
import { lexShell } from '../../src/code-scan/shell-lexer.js';
import { shellCalls } from '../../src/code-scan/shell-walk.js';
import { DEFAULTS } from '../../src/config/defaults.js';
import { parseDockerArgv } from '../../src/docker-grammar/parse.js';
import { judge } from '../../src/guard/judge.js';
import { ROOT } from '../fixtures/cli.js';
import { forceCorpus } from '../fixtures/corpus.js';

const budget = () => ({ maxDepth: 64, remaining: 1_000_000 });
const programs = new Set(['docker', 'docker-compose', 'safe-docker']);

/** What an alternative does, read back with the scanner's own tokenizer: its docker calls' verdicts and the containers it names. */
function readBack(alternative: string): { verdicts: string[]; removes: string[][]; positionals: string[][] } {
	const calls = shellCalls(alternative, { budget: budget(), programs });
	const words = lexShell(alternative, budget()).flatMap(token =>
		token.type === 'word' ? [token.value] : token.type === 'op' ? ['\0'] : [],
	);
	const removes: string[][] = [];
	words.forEach((word, index) => {
		if (word !== 'safe-docker' || words[index + 1] !== 'guard' || words[index + 2] !== 'remove') return;
		const end = words.indexOf('\0', index);
		removes.push(words.slice(index + 3, end === -1 ? undefined : end).filter(name => name !== '--volumes'));
	});
	return {
		verdicts: calls.map(call => judge(parseDockerArgv(call.argv), DEFAULTS.force, {}).decision),
		removes,
		positionals: calls.map(call => [...parseDockerArgv(call.argv).positionals]),
	};
}

describe('every alternative printed for the force corpus is safe to paste', () => {
	const corpus = forceCorpus().filter(entry => entry.force);

	it.each(corpus.map(entry => [entry.cmd, entry] as const))('%s', (_, entry) => {
		const findings = scanText('x.sh', 'shell', entry.cmd).filter(finding => finding.rule.startsWith('force/'));
		expect(findings.length).toBeGreaterThan(0);
		const original = shellCalls(entry.cmd, { budget: budget(), programs });
		for (const finding of findings) {
			const alternative = finding.alternative!;
			expect(alternative).not.toMatch(/SUBST|\uE000/);
			const forced = original.find(call => parseDockerArgv(call.argv).command === finding.command)!;
			const parsed = parseDockerArgv(forced.argv);
			const back = readBack(alternative);
			if (/\(this call names no container\)$/.test(alternative)) {
				// Said in words only where the call names nothing to remove.
				expect(parsed.positionals).toEqual([]);
				continue;
			}
			expect(back.verdicts.every(verdict => verdict === 'allow')).toBe(true);
			// A prune's alternative is the guard's own: a dry run of safe-docker cleanup, which removes nothing.
			if (finding.alternative!.includes('safe-docker cleanup')) expect(finding.alternative).toMatch(/safe-docker cleanup --dry-run/);
			else if (finding.alternative!.includes('safe-docker guard remove')) expect(back.removes).toEqual([[...parsed.positionals]]);
			else expect(back.positionals).toContainEqual([...parsed.positionals]);
		}
	});

	it('covers the corpus', () => {
		expect(corpus.length).toBeGreaterThan(50);
	});
});

describe('every shell alternative printed for the fixtures of each file type passes the guard', () => {
	const { findings } = scanPaths([join(ROOT, 'test', 'fixtures', 'scan')], ROOT);
	const shell = findings.filter(
		finding => finding.rule.startsWith('force/') && !/^["'`f[]| {4}/.test(finding.alternative!) && !finding.alternative!.includes('    '),
	);

	it.each(shell.map(finding => [`${finding.file}:${finding.line}`, finding] as const))('%s', (_, finding) => {
		const back = readBack(finding.alternative!.replace(/\$\$/g, '$'));
		expect(back.verdicts.every(verdict => verdict === 'allow')).toBe(true);
		expect(
			back.removes.length + back.verdicts.length + (finding.alternative!.includes('safe-docker cleanup --dry-run') ? 1 : 0),
		).toBeGreaterThan(0);
	});

	it('covers most findings', () => {
		expect(shell.length).toBeGreaterThan(30);
	});
});
