import { explainForce, explainLoss } from '../guard/explain.js';
import { SafeDockerError } from './safe-docker-error.js';

/** Exit code of a refused call: EX_NOPERM (sysexits.h), distinct from docker's own 125/126/127. */
export const REJECTED_EXIT_CODE = 77;

/** A docker call refused because it uses force semantics. */
export class GuardRejection extends SafeDockerError {
	readonly code = 'FORCE_REJECTED';
	readonly exitCode = REJECTED_EXIT_CODE;

	constructor(
		/** Canonical command path: `container rm`. */
		readonly command: string,
		/** The token that asked for force: `-f`, `-af`, `--force`. */
		readonly flag: string,
		readonly risk: string,
		/** The safe command to run instead, ready to paste. */
		readonly alternative: string,
		/** The refused call, ready to paste. */
		readonly call: string,
		/** What else the call would have done, told with the refusal (`  also: destroys anonymous volumes…`). */
		readonly also: readonly string[] = [],
	) {
		super(`refused \`${call}\`: ${flag === '--force' ? '--force' : `${flag} (--force)`} on ${command}`);
		this.name = 'GuardRejection';
	}

	/** The three lines a user reads: what was refused, the risk, what to run instead. */
	lines(): string[] {
		return [
			...explainForce(`safe-docker: ${this.message}`, this.risk, this.alternative),
			...this.also,
			`  (to force it once anyway, audited: SAFE_DOCKER_ALLOW_FORCE="<reason>" ${this.call})`,
		];
	}
}

/** A docker call refused because it destroys volume data (named volumes, by default); maybe forced too. */
export class DataLossRejection extends SafeDockerError {
	readonly code = 'DATA_LOSS_REJECTED';
	readonly exitCode = REJECTED_EXIT_CODE;

	constructor(
		/** Canonical command path: `volume rm`. */
		readonly command: string,
		readonly lossClass: 'named' | 'anonymous',
		/** The token that causes it (`-v`, `--volumes`), or null when the command itself does. */
		readonly flag: string | null,
		/** The volumes that would go, when known. */
		readonly volumes: readonly string[] | null,
		readonly risk: string,
		/** The safe command to run instead, ready to paste. */
		readonly alternative: string,
		readonly keeps: string,
		readonly backupFirst: boolean,
		/** The refused call, ready to paste. */
		readonly call: string,
		/** The same call's force refusal, when it is forced too: both reasons are told. */
		readonly force?: GuardRejection,
	) {
		const named = volumes === null || volumes.length === 0 ? '' : `: ${volumes.join(', ')}`;
		super(`refused \`${call}\`: ${flag === null ? command : `${flag} on ${command}`} destroys ${lossClass} volumes${named}`);
		this.name = 'DataLossRejection';
	}

	/** What a user reads: the force refusal first, if any, then what would be lost, the risk and the safe way. */
	lines(): string[] {
		return [
			...(this.force?.lines() ?? []),
			...explainLoss(`safe-docker: ${this.message}`, this.risk, this.alternative, this.keeps, this.backupFirst, this.call, true),
		];
	}
}
