import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanText } from '../../src/code-scan/scan.js';
import { scanPaths } from '../../src/code-scan/scan-paths.js';
import { lexShell } from '../../src/code-scan/shell-lexer.js';
import { shellCalls } from '../../src/code-scan/shell-walk.js';
import { DEFAULTS } from '../../src/config/defaults.js';
import { parseDockerArgv } from '../../src/docker-grammar/parse.js';
import { classifyVolumeLoss } from '../../src/docker-grammar/volume-loss.js';
import { judge } from '../../src/guard/judge.js';
import { ROOT } from '../fixtures/cli.js';
import { datalossCorpus, forceCorpus } from '../fixtures/corpus.js';

const budget = () => ({ maxDepth: 64, remaining: 1_000_000 });
const programs = new Set(['docker', 'docker-compose', 'safe-docker']);

/**
 * What an alternative does, read back with the scanner's own tokenizer: its docker calls' verdicts (the force
 * guard's, or `loses data` when the data-loss guard would stop it, for any API version), the containers it
 * removes, the volumes it backs up.
 */
function readBack(alternative: string): { verdicts: string[]; removes: string[][]; backups: string[][]; positionals: string[][] } {
	const calls = shellCalls(alternative, { budget: budget(), programs });
	const words = lexShell(alternative, budget()).flatMap(token =>
		token.type === 'word' ? [token.value] : token.type === 'op' ? ['\0'] : [],
	);
	const removes: string[][] = [];
	const backups: string[][] = [];
	words.forEach((word, index) => {
		if (word !== 'safe-docker' || words[index + 1] !== 'guard') return;
		const end = words.indexOf('\0', index);
		const operands = words.slice(index + 3, end === -1 ? undefined : end);
		if (words[index + 2] === 'remove') removes.push(operands.filter(name => name !== '--volumes'));
		if (words[index + 2] === 'backup') backups.push(operands);
	});
	const verdict = (argv: readonly string[]) => {
		const parsed = parseDockerArgv(argv);
		const lossy = ['1.41', '1.43'].some(api => classifyVolumeLoss(parsed, api).class !== 'none');
		return lossy ? 'loses data' : judge(parsed, DEFAULTS.force, {}).decision;
	};
	return {
		verdicts: calls.map(call => verdict(call.argv)),
		removes,
		backups,
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
			else if (finding.alternative!.includes('safe-docker guard backup')) expect(back.backups).toEqual([[...parsed.positionals]]);
			else if (finding.alternative!.includes('safe-docker guard remove')) expect(back.removes).toEqual([[...parsed.positionals]]);
			else expect(back.positionals).toContainEqual([...parsed.positionals]);
		}
	});

	it('covers the corpus', () => {
		expect(corpus.length).toBeGreaterThan(50);
	});
});

describe('every alternative printed for the data-loss corpus passes both guards and keeps the call’s own words', () => {
	const corpus = datalossCorpus().filter(entry => entry.loss !== 'none');

	it.each(corpus.map(entry => [entry.cmd, entry] as const))('%s', (_, entry) => {
		const findings = scanText('x.sh', 'shell', entry.cmd).filter(finding => finding.rule.includes('data-loss/'));
		expect(findings).toHaveLength(1);
		const [finding] = findings;
		const alternative = finding!.alternative!;
		expect(alternative).not.toMatch(/SUBST|\uE000/);
		const back = readBack(alternative);
		expect(back.verdicts.every(verdict => verdict === 'allow')).toBe(true);
		const [call] = shellCalls(entry.cmd, { budget: budget(), programs });
		const parsed = parseDockerArgv(call!.argv);
		if (alternative.includes('safe-docker guard backup')) {
			expect(back.backups).toEqual([[...parsed.positionals]]);
			// Then the call itself, once, with the hatch: the same argv, which the scanner then passes.
			expect(finding!.afterBackup).toMatch(/^SAFE_DOCKER_ALLOW_DATA_LOSS="<reason>" /);
			expect(shellCalls(finding!.afterBackup!, { budget: budget(), programs }).map(then => then.argv)).toContainEqual(call!.argv);
			expect(scanText('x.sh', 'shell', finding!.afterBackup!).filter(then => then.rule.includes('data-loss/'))).toEqual([]);
		} else if (!/safe-docker (guard )?(cleanup|remove)/.test(alternative)) expect(back.positionals).toContainEqual([...parsed.positionals]);
	});

	it('covers the lossy lines', () => {
		expect(corpus.length).toBeGreaterThan(60);
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
