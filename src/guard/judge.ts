import type { Config } from '../config/defaults.js';
import { boolFlag, type ParsedCall } from '../docker-grammar/parse.js';
import { detectForce, type ForceUse, safeAlternative } from './detect-force.js';

/** The escape hatch: set for one call, with a reason as its value; every use is audited. */
export const ESCAPE_HATCH = 'SAFE_DOCKER_ALLOW_FORCE';

/** What the guard does with a call. */
export type Verdict =
	| { readonly decision: 'allow' }
	| {
			readonly decision: 'reject' | 'rewrite' | 'warn' | 'allowed-by-config' | 'escape-hatch';
			readonly use: ForceUse;
			/** The safe command to run instead, as an argv starting with the program name. */
			readonly alternative: readonly string[];
			/** The escape hatch's reason, when it was used. */
			readonly reason?: string;
	  };

/**
 * Decides a call without side effects, for the pipeline and `guard check` alike. In order: no force →
 * allow; a command listed in `force.allow` → allowed; the escape hatch → allowed once; then the policy:
 * `warn` runs it, `rewrite` turns `rm -f` into a graceful removal (anything without a safe rewrite is
 * still rejected), `reject` refuses.
 */
export function judge(call: ParsedCall, force: Config['force'], env: Readonly<Record<string, string | undefined>>): Verdict {
	const use = detectForce(call);
	if (use === undefined) return { decision: 'allow' };
	const alternative = safeAlternative(call, use);
	if (force.allow.includes(use.command)) return { decision: 'allowed-by-config', use, alternative };
	const reason = env[ESCAPE_HATCH];
	if (reason !== undefined && reason.trim() !== '') return { decision: 'escape-hatch', use, alternative, reason: reason.trim() };
	if (force.policy === 'warn') return { decision: 'warn', use, alternative };
	const rewritable = use.rule.alternative === 'remove' && !boolFlag(call, 'link');
	if (force.policy === 'rewrite' && rewritable) return { decision: 'rewrite', use, alternative };
	return { decision: 'reject', use, alternative };
}
