/** How the guard explains a forced call, wherever it speaks (a refusal, a warning, `guard check`): what, the risk, the safe way. */
export function explainForce(headline: string, risk: string, alternative: string): string[] {
	return [headline, `  risk: ${risk}`, `  instead: ${alternative}`];
}

/**
 * How the guard explains a call that destroys volume data: what, the risk, the safe way — a backup first
 * (then the call itself with the escape hatch), or a call that keeps the data.
 */
export function explainLoss(
	headline: string,
	risk: string,
	alternative: string,
	keeps: string,
	backupFirst: boolean,
	call: string,
	hatch: boolean,
): string[] {
	const lines = [headline, `  risk: ${risk}`, `  instead: ${alternative}   (${keeps})`];
	if (!hatch) return lines;
	const withHatch = `SAFE_DOCKER_ALLOW_DATA_LOSS="<reason>" ${call}`;
	return [...lines, backupFirst ? `  then, audited: ${withHatch}` : `  (to run it once anyway, audited: ${withHatch})`];
}
