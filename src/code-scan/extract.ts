import { codeSegments } from './extract/code.js';
import { dockerfileSegments } from './extract/dockerfile.js';
import { jenkinsfileSegments } from './extract/jenkinsfile.js';
import { justfileSegments, makefileSegments } from './extract/makefile.js';
import { asciidocSegments, markdownSegments } from './extract/markdown.js';
import { packageJsonSegments } from './extract/package-json.js';
import { robotSegments } from './extract/robot.js';
import { yamlSegments } from './extract/yaml.js';
import type { FileKind } from './file-kind.js';
import type { Segment } from './segments.js';

/** Where the shell (and the argv lists) of a file of this kind are. */
export function extractSegments(kind: FileKind, text: string): Segment[] {
	switch (kind) {
		case 'shell':
			return [{ kind: 'shell', text, map: index => index }];
		case 'powershell':
			return [{ kind: 'shell', text, map: index => index, dialect: 'powershell' }];
		case 'makefile':
			return makefileSegments(text);
		case 'justfile':
			return justfileSegments(text);
		case 'dockerfile':
			return dockerfileSegments(text);
		case 'yaml':
			return yamlSegments(text);
		case 'package-json':
			return packageJsonSegments(text);
		case 'markdown':
			return markdownSegments(text);
		case 'asciidoc':
			return asciidocSegments(text);
		case 'robot':
			return robotSegments(text);
		case 'jenkinsfile':
			return jenkinsfileSegments(text);
		case 'code':
			return codeSegments(text);
	}
}
