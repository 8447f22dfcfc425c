/** What kind of file it is, which decides where its shell is. */
export type FileKind =
	| 'shell'
	| 'powershell'
	| 'makefile'
	| 'justfile'
	| 'dockerfile'
	| 'yaml'
	| 'package-json'
	| 'markdown'
	| 'asciidoc'
	| 'robot'
	| 'jenkinsfile'
	| 'code';

const BY_NAME: ReadonlyArray<[RegExp, FileKind]> = [
	[/\.(sh|bash|zsh|ksh|dash|ash|bats)$/, 'shell'],
	[/\.(ps1|psm1)$/, 'powershell'],
	[/^(GNUmakefile|[Mm]akefile)$|^Makefile\.|\.(mk|make|[Mm]akefile)$/, 'makefile'],
	[/^(\.?[Jj]ustfile)$|\.just$/, 'justfile'],
	[/^(Dockerfile|Containerfile)(\..+)?$|\.(Dockerfile|Containerfile)$/, 'dockerfile'],
	[/\.ya?ml$/, 'yaml'],
	// Any JSON: a top-level "scripts" object is read (package.json, composer.json); other JSON has none.
	[/\.json$/, 'package-json'],
	[/\.(md|markdown|mdx)$/, 'markdown'],
	[/\.(adoc|asciidoc|asc)$/, 'asciidoc'],
	[/\.(robot|resource)$/, 'robot'],
	[/^Jenkinsfile(\..+)?$|\.(jenkinsfile|groovy)$/, 'jenkinsfile'],
	[/\.(m?[jt]sx?|cjs|cts|py|go)$/, 'code'],
];

/** By name first, then by a shebang (of any file name): `#!/usr/bin/env bash`, `#!/usr/bin/env bats`, `#!/usr/bin/python3`. */
export function kindOf(path: string, head: string): FileKind | undefined {
	const name = path.slice(path.lastIndexOf('/') + 1);
	const byName = BY_NAME.find(([pattern]) => pattern.test(name));
	if (byName) return byName[1];
	const shebang = interpreter(head.replace(/^\uFEFF/, ''));
	if (shebang === undefined) return undefined;
	if (/^(ba|z|k|da|a|mk)?sh$|^bats$|^busybox$/.test(shebang)) return 'shell';
	if (/^pwsh$|^powershell$/.test(shebang)) return 'powershell';
	if (/^(python\d*(\.\d+)?|node|deno|bun|tsx|ts-node|zx)$/.test(shebang)) return 'code';
	return undefined;
}

/** The interpreter a shebang names, through `env` and its options. */
function interpreter(head: string): string | undefined {
	const match = /^#!\s*(\S+)([^\n]*)/.exec(head);
	if (!match) return undefined;
	const words = [match[1]!, ...match[2]!.trim().split(/\s+/)].filter(Boolean);
	const base = (word: string | undefined) => word?.slice(word.lastIndexOf('/') + 1);
	if (base(words[0]) !== 'env') return base(words[0]);
	let i = 1;
	while (words[i]?.startsWith('-')) i++;
	return base(words[i]);
}
