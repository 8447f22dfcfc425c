import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from '../errors.js';
import type { AgentContract } from './agents.js';

export type HookScope = 'project' | 'user';

/** Where an agent's hook file is for a scope; undefined when the agent has no such scope. */
export function hookFile(contract: AgentContract, scope: HookScope, { cwd, home }: { cwd: string; home: string }): string | undefined {
	const relative = scope === 'project' ? contract.install.project : contract.install.user;
	return relative === undefined ? undefined : join(scope === 'project' ? cwd : home, relative);
}

/** The hook file's JSON (empty when there is none); a file that is not a JSON object is an error, never overwritten. */
export function readHookFile(file: string): Record<string, unknown> {
	if (!existsSync(file)) return {};
	const text = readFileSync(file, 'utf8');
	let value: unknown;
	try {
		value = text.trim() === '' ? {} : JSON.parse(text);
	} catch (error) {
		throw new ConfigError(file, undefined, `not valid JSON (${(error as Error).message}); fix it before installing the hook`);
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(file, undefined, 'not a JSON object');
	return value as Record<string, unknown>;
}

/** The hook list in a parsed file (what is at the contract's list path), if it is a list. */
export function hookList(contract: AgentContract, config: Record<string, unknown>): unknown[] {
	let node: unknown = config;
	for (const key of contract.install.listPath) node = (node as Record<string, unknown> | undefined)?.[key];
	return Array.isArray(node) ? node : [];
}

/**
 * Merges safe-docker's entry into the agent's hook file without touching other hooks or keys. Idempotent:
 * an entry that already runs the command is left as it is. Returns the text before and after.
 */
export function installHook(contract: AgentContract, file: string, command: string): { before: string; after: string; changed: boolean } {
	const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
	const config = readHookFile(file);
	if (hookList(contract, config).some(entry => contract.install.commandsOf(entry).includes(command)))
		return { before, after: before, changed: false };
	const merged: Record<string, unknown> = { ...contract.install.fileDefaults, ...config };
	let node = merged;
	const path = contract.install.listPath;
	for (const key of path.slice(0, -1)) {
		const child = node[key];
		if (child !== undefined && (typeof child !== 'object' || child === null || Array.isArray(child)))
			throw new ConfigError(file, path.join('.'), `${key} is not an object; fix it before installing the hook`);
		node[key] = { ...((child as Record<string, unknown> | undefined) ?? {}) };
		node = node[key] as Record<string, unknown>;
	}
	const last = path.at(-1)!;
	if (node[last] !== undefined && !Array.isArray(node[last]))
		throw new ConfigError(file, path.join('.'), 'is not a list; fix it before installing the hook');
	node[last] = [...((node[last] as unknown[] | undefined) ?? []), contract.install.entry(command)];
	const indent = /^[ \t]+(?=")/m.exec(before)?.[0] ?? '  ';
	const after = `${JSON.stringify(merged, null, indent)}\n`;
	mkdirSync(dirname(file), { recursive: true });
	writeFileSync(file, after);
	return { before, after, changed: true };
}

/** A line diff (`-`/`+`/` `) of two small texts, by their longest common subsequence. */
export function lineDiff(before: string, after: string): string[] {
	const a = before === '' ? [] : before.replace(/\n$/, '').split('\n');
	const b = after.replace(/\n$/, '').split('\n');
	const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
	for (let i = a.length - 1; i >= 0; i--)
		for (let j = b.length - 1; j >= 0; j--)
			lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
	const lines: string[] = [];
	let i = 0;
	let j = 0;
	while (i < a.length || j < b.length) {
		if (i < a.length && j < b.length && a[i] === b[j]) {
			lines.push(`  ${a[i++]}`);
			j++;
		} else if (j < b.length && (i >= a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) lines.push(`+ ${b[j++]}`);
		else lines.push(`- ${a[i++]}`);
	}
	return lines;
}
