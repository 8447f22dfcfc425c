import type { AuditDecision } from '../audit/audit-log.js';
import type { DockerClient } from '../docker/client.js';
import { GuardRejection } from '../errors.js';
import { explainForce } from '../guard/explain.js';
import { ESCAPE_HATCH, judge, type Verdict } from '../guard/judge.js';
import type { Call, Next, Outcome, Step } from './types.js';

export interface GuardStepOptions {
	/** The state directory (created and checked on first use), where the audit log lives. */
	readonly stateDir: () => string;
	readonly cwd: string;
	readonly stdout: Pick<NodeJS.WriteStream, 'write'>;
	readonly stderr: Pick<NodeJS.WriteStream, 'write'>;
	// For testing
	readonly docker?: DockerClient;
	readonly now?: () => number;
}

type ForceVerdict = Exclude<Verdict, { decision: 'allow' }>;

/**
 * The guard: calls without force semantics pass straight on. Forced ones are rejected (nothing runs),
 * rewritten (`rm -f` → graceful removal), or run with a warning, by policy; every decision but a plain
 * allow is written to the audit log, and a forced call never runs unless its audit entry can be written.
 * The escape hatch allows one call: it is not passed on to docker, nor to anything docker starts.
 */
export function guardStep(options: GuardStepOptions): Step {
	const { stateDir, cwd, stdout, stderr, now = Date.now } = options;
	return {
		async handle(call: Call, next: Next): Promise<Outcome> {
			const verdict = judge(call.parsed, call.config.force, call.env);
			const { [ESCAPE_HATCH]: _hatch, ...env } = call.env;
			const passOn = { ...call, env };
			if (verdict.decision === 'allow') return next(passOn);
			// Loaded only for forced calls: none of this is start-up cost for every `docker ps`.
			const [{ appendAudit, completeAudit }, { redactArgv, redactText }, { displayCommand }] = await Promise.all([
				import('../audit/audit-log.js'),
				import('../audit/redact.js'),
				import('../system/display-command.js'),
			]);
			const shown = displayCommand(['docker', ...call.argv]);
			const audit = (decision: AuditDecision, exitCode: number | null) =>
				appendAudit(
					stateDir(),
					{
						cwd,
						argv: redactArgv(call.parsed),
						command: verdict.use.command,
						flag: verdict.use.token,
						decision,
						policy: call.config.force.policy,
						exitCode,
						...(verdict.reason === undefined ? {} : { reason: redactText(verdict.reason) }),
					},
					call.config.audit.maxBytes,
				);

			if (verdict.decision === 'reject') {
				const rejection = new GuardRejection(
					verdict.use.command,
					verdict.use.token,
					verdict.use.rule.risk,
					displayCommand([...verdict.alternative]),
					shown,
				);
				try {
					audit('rejected', rejection.exitCode);
				} catch (error) {
					stderr.write(`safe-docker: could not write the audit log: ${(error as Error).message}\n`);
				}
				throw rejection;
			}

			// Everything below changes the engine with force semantics: audited (and flushed) before it runs, or not run.
			const audited = audit(verdict.decision === 'warn' ? 'warned' : verdict.decision === 'rewrite' ? 'rewritten' : verdict.decision, null);
			const complete = (outcome: Outcome) => {
				try {
					completeAudit(stateDir(), audited, outcome.exitCode, call.config.audit.maxBytes);
				} catch (error) {
					stderr.write(`safe-docker: ${(error as Error).message}\n`);
				}
				return outcome;
			};
			if (verdict.decision === 'rewrite') {
				const docker = options.docker ?? (await import('../docker/client.js')).dockerClient(call.docker, env);
				return complete(await rewriteAsGracefulRemove(call, verdict, shown, docker, now));
			}
			if (verdict.decision === 'warn') {
				const lines = explainForce(
					`safe-docker: warning: \`${shown}\` uses ${verdict.use.token} (--force) on ${verdict.use.command}; running it anyway (force.policy = warn)`,
					verdict.use.rule.risk,
					displayCommand([...verdict.alternative]),
				);
				stderr.write(`${lines.join('\n')}\n`);
			}
			if (verdict.decision === 'escape-hatch') {
				stderr.write(`safe-docker: force allowed once by ${ESCAPE_HATCH} (reason: ${verdict.reason}); this is audited\n`);
			}
			return complete(await next(passOn));
		},
	};

	/** `rm -f a b` → for each container: graceful stop, rm without force; printed the way docker rm prints. */
	async function rewriteAsGracefulRemove(
		call: Call,
		verdict: ForceVerdict,
		shown: string,
		docker: DockerClient,
		clock: () => number,
	): Promise<Outcome> {
		const { describeOutcome, removeGracefully } = await import('../guard/graceful-remove.js');
		const started = clock();
		const volumes = verdict.alternative.includes('--volumes');
		const names = call.parsed.positionals;
		stderr.write(
			`safe-docker: \`${shown}\` rewritten as a graceful stop (SIGTERM, ${call.config.remove.stopTimeoutSeconds} s) and rm (force.policy = rewrite)\n`,
		);
		const outcomes = await removeGracefully(names, { timeSeconds: call.config.remove.stopTimeoutSeconds, volumes }, docker);
		let failed = false;
		for (const outcome of outcomes) {
			// Like `docker rm -f`: the name of each removed container on stdout; a missing one is not an error.
			if (outcome.status === 'removed') stdout.write(`${outcome.name}\n`);
			// docker rm -f's own line for a missing container (it still exits 0).
			if (outcome.status === 'missing') stderr.write(`Error response from daemon: No such container: ${outcome.name}\n`);
			if (outcome.status === 'failed') {
				failed = true;
				stderr.write(`safe-docker: ${describeOutcome(outcome)}\n`);
			}
		}
		return {
			exitCode: failed || names.length === 0 ? 1 : 0,
			signal: null,
			durationMs: clock() - started,
			waitedMs: 0,
			lane: call.lane,
			retried: 0,
		};
	}
}
