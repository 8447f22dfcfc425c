import type { FileKind } from '../../../src/code-scan/file-kind.js';
import { scanText } from '../../../src/code-scan/scan.js';

/** `line:column rule => alternative` for each finding of a text read as `kind`. */
export function found(kind: FileKind, text: string): string[] {
	return scanText('f', kind, text).map(finding => `${finding.line}:${finding.column} ${finding.rule} => ${finding.alternative}`);
}
