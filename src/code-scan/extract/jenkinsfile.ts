import type { Segment } from '../segments.js';
import { readLiteral } from './code-literals.js';

/**
 * Jenkinsfile / Groovy pipeline steps: `sh 'docker rm -f x'`, `sh "…${name}"`, `sh '''…'''`,
 * `sh(script: '…', returnStdout: true)`. `${…}` interpolations stay opaque words.
 */
export function jenkinsfileSegments(text: string): Segment[] {
	const segments: Segment[] = [];
	for (const match of text.matchAll(/\bsh\s*(?:\(\s*(?:script\s*:\s*)?)?(?=['"])|\bscript\s*:\s*(?=['"])/g)) {
		const literal = readLiteral(text, match.index! + match[0].length);
		if (literal) segments.push(literal.content.segment());
	}
	return segments;
}
