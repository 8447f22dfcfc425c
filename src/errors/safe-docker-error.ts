/**
 * Every failure safe-docker reports itself is one of these records: a stable `code`, typed fields, and an
 * optional `cause`. `formatError` turns any of them into the one line a user reads; `--json` prints the fields.
 */
export abstract class SafeDockerError extends Error {
	abstract readonly code: string;
	/** The process exit code this failure maps to. */
	abstract readonly exitCode: number;

	/** The fields worth printing with `--json`. */
	toJSON(): Record<string, unknown> {
		const { name: _name, message, stack: _stack, cause: _cause, ...fields } = this as unknown as Record<string, unknown>;
		return { code: this.code, message, ...fields };
	}
}
