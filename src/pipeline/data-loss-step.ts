import type { AuditDecision } from '../audit/audit-log.js';
import type { DockerClient } from '../docker/client.js';
import { mayLoseData } from '../docker-grammar/volume-loss.js';
import { DataLossRejection, GuardRejection } from '../errors.js';
import { LOSS_HATCH, type LossVerdict } from '../guard/judge-loss.js';
import type { Call, Next, Outcome, Step } from './types.js';

export interface DataLossStepOptions {
	/** The state directory (created and checked on first use): the audit log and the cached API versions. */
	readonly stateDir: () => string;
	readonly cwd: string;
	readonly stderr: Pick<NodeJS.WriteStream, 'write'>;
	// For testing
	readonly docker?: DockerClient;
}

type Lossy = Exclude<LossVerdict, { decision: 'allow' }>;

/**
 * The data-loss guard, beside the force guard and before it: calls that destroy no volume data pass
 * straight on (decided from the parse, no I/O). Others are judged for the API version in force — asked of
 * docker, within the ping deadline, when the verdict depends on it and it is not known — and refused
 * (named volumes, by default), warned about (anonymous ones), or let through by `dataLoss.allowVolumes` or
 * `SAFE_DOCKER_ALLOW_DATA_LOSS`, all audited. A call that is forced too gets the stricter verdict and both
 * reasons. The escape hatch is never passed on to docker.
 */
export function dataLossStep(options: DataLossStepOptions): Step {
	const { stateDir, cwd, stderr } = options;
	return {
		async handle(call: Call, next: Next): Promise<Outcome> {
			const { [LOSS_HATCH]: _hatch, ...env } = call.env;
			const passOn = { ...call, env };
			if (!mayLoseData(call.parsed)) return next(passOn);
			// Loaded only for lossy calls: none of this is start-up cost for every `docker ps`.
			const [
				{ lossOf, dependsOnApiVersion },
				{ judgeLoss },
				{ judge },
				audit,
				{ redactArgv, redactText },
				{ displayCommand },
				api,
				endpoint,
			] = await Promise.all([
				import('../guard/assess-loss.js'),
				import('../guard/judge-loss.js'),
				import('../guard/judge.js'),
				import('../audit/audit-log.js'),
				import('../audit/redact.js'),
				import('../system/display-command.js'),
				import('../docker/api-version.js'),
				import('../docker/endpoint.js'),
			]);
			const url = endpoint.dockerEndpoint(call.env).url;
			// Where the API versions are cached; an unusable state directory only means none is known (refusals still refuse).
			const cacheDir = usable(stateDir);
			const context = { env: call.env, cwd, stateDir: cacheDir, endpoint: url };
			let { loss, api: version } = lossOf(call.parsed, context);
			// Asking docker costs a call: only when the verdict depends on the answer.
			const policiesDiffer = call.config.dataLoss.named !== call.config.dataLoss.anonymous;
			if (version.source === 'unknown' && policiesDiffer && dependsOnApiVersion(call.parsed)) {
				const docker =
					options.docker ?? (await import('../docker/client.js')).dockerClient(call.docker, env, call.config.health.pingTimeoutMs);
				const learned = cacheDir === undefined ? undefined : await api.learnApiVersion(docker, cacheDir, url);
				if (learned !== undefined) ({ loss, api: version } = lossOf(call.parsed, { ...context, learned }));
			}
			const verdict = judgeLoss(call.parsed, loss, call.config.dataLoss, call.env);
			if (verdict.decision === 'allow') return next(passOn);

			const shown = displayCommand(['docker', ...call.argv]);
			const record = (decision: AuditDecision, exitCode: number | null) =>
				audit.appendAudit(
					stateDir(),
					{
						cwd,
						argv: redactArgv(call.parsed),
						command: call.parsed.command ?? null,
						flag: verdict.loss.flag,
						decision,
						policy: `dataLoss.${verdict.loss.class} = ${call.config.dataLoss[verdict.loss.class]}`,
						exitCode,
						guard: 'data-loss',
						loss: verdict.loss.class,
						volumes: verdict.loss.volumes,
						apiVersion: verdict.loss.apiVersion,
						...(verdict.reason === undefined ? {} : { reason: redactText(verdict.reason) }),
					},
					call.config.audit.maxBytes,
				);
			const force = judge(call.parsed, call.config.force, call.env);
			const forceRejection =
				force.decision === 'reject'
					? new GuardRejection(force.use.command, force.use.token, force.use.rule.risk, displayCommand([...force.alternative]), shown)
					: undefined;

			if (verdict.decision === 'reject') {
				const rejection = new DataLossRejection(
					call.parsed.command ?? '',
					verdict.loss.class,
					verdict.loss.flag,
					verdict.loss.volumes,
					verdict.loss.reason,
					displayCommand([...verdict.alternative]),
					verdict.keeps,
					verdict.backupFirst,
					shown,
					forceRejection,
				);
				try {
					record('rejected', rejection.exitCode);
					// The force guard never sees this call: its refusal is recorded here, as it would record it.
					if (forceRejection && force.decision === 'reject') {
						audit.appendAudit(
							stateDir(),
							{
								cwd,
								argv: redactArgv(call.parsed),
								command: force.use.command,
								flag: force.use.token,
								decision: 'rejected',
								policy: call.config.force.policy,
								exitCode: rejection.exitCode,
							},
							call.config.audit.maxBytes,
						);
					}
				} catch (error) {
					stderr.write(`safe-docker: could not write the audit log: ${(error as Error).message}\n`);
				}
				throw rejection;
			}

			const lost = describeLoss(verdict);
			if (forceRejection) {
				// The stricter verdict wins: the force guard refuses it, and says what else it would have destroyed.
				try {
					return await next(passOn);
				} catch (error) {
					if (!(error instanceof GuardRejection)) throw error;
					throw new GuardRejection(error.command, error.flag, error.risk, error.alternative, error.call, [
						`  also: ${lost} — ${verdict.loss.reason}`,
					]);
				}
			}
			// Everything below destroys volume data: audited (and flushed) before it runs, or not run.
			const audited = record(verdict.decision === 'warn' ? 'warned' : verdict.decision, null);
			if (verdict.decision === 'warn') {
				const { explainLoss } = await import('../guard/explain.js');
				const lines = explainLoss(
					`safe-docker: warning: \`${shown}\` ${lost}; running it (dataLoss.${verdict.loss.class} = warn)`,
					verdict.loss.reason,
					displayCommand([...verdict.alternative]),
					verdict.keeps,
					verdict.backupFirst,
					shown,
					false,
				);
				stderr.write(`${lines.join('\n')}\n`);
			} else if (verdict.decision === 'escape-hatch') {
				stderr.write(
					`safe-docker: data loss allowed once by ${LOSS_HATCH} (reason: ${verdict.reason}): \`${shown}\` ${lost}; this is audited\n`,
				);
			}
			const outcome = await next(passOn);
			try {
				audit.completeAudit(stateDir(), audited, outcome.exitCode, call.config.audit.maxBytes);
			} catch (error) {
				stderr.write(`safe-docker: ${(error as Error).message}\n`);
			}
			return outcome;
		},
	};
}

/** `destroys named volumes: a, b` / `destroys anonymous volumes (-v on container rm)`. */
function describeLoss(verdict: Lossy): string {
	const { loss } = verdict;
	const cause = loss.flag === null ? '' : ` (${loss.flag})`;
	const names = loss.volumes === null || loss.volumes.length === 0 ? '' : `: ${loss.volumes.join(', ')}`;
	return `destroys ${loss.class} volumes${cause}${names}`;
}

function usable(stateDir: () => string): string | undefined {
	try {
		return stateDir();
	} catch {
		return undefined;
	}
}
