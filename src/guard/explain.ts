/** How the guard explains a forced call, wherever it speaks (a refusal, a warning, `guard check`): what, the risk, the safe way. */
export function explainForce(headline: string, risk: string, alternative: string): string[] {
	return [headline, `  risk: ${risk}`, `  instead: ${alternative}`];
}
