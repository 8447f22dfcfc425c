import { describe, expect, it } from 'vitest';
import { kindOf } from '../../src/code-scan/file-kind.js';

describe('kindOf', () => {
	it.each([
		['test/mail.bats', 'shell'],
		['docker.Makefile', 'makefile'],
		['Makefile.release', 'makefile'],
		['GNUmakefile', 'makefile'],
		['rules.mk', 'makefile'],
		['justfile', 'justfile'],
		['docs/guide.adoc', 'asciidoc'],
		['guide.asciidoc', 'asciidoc'],
		['suite.robot', 'robot'],
		['Jenkinsfile', 'jenkinsfile'],
		['Taskfile.yml', 'yaml'],
		['clean.ps1', 'powershell'],
		['tool.go', 'code'],
		['Containerfile.dev', 'dockerfile'],
		['notes.txt', undefined],
	])('%s → %s', (path, kind) => {
		expect(kindOf(path, '')).toBe(kind);
	});

	it.each([
		['#!/usr/bin/env bash\n', 'shell'],
		['#!/usr/bin/env -S bats --tap\n', 'shell'],
		['#! /bin/sh -e\n', 'shell'],
		['#!/usr/bin/env pwsh\n', 'powershell'],
		['#!/usr/bin/python3\n', 'code'],
		['#!/usr/bin/perl\n', undefined],
	])('a shebang of any file name: %s', (head, kind) => {
		expect(kindOf('bin/tool.local', head)).toBe(kind);
	});
});
