/** What a lock message says about its holder. */
export interface HolderSummary {
	readonly pid: number;
	readonly host: string;
	readonly user: string;
	readonly command: string;
	readonly reason: string | null;
	readonly acquiredAt: string;
}

export function describeHolder(holder: HolderSummary | undefined, now = Date.now()): string {
	if (holder === undefined) return 'held (holder unknown: it is being taken right now, or its holder left no record)';
	const age = Math.max(0, Math.round((now - Date.parse(holder.acquiredAt)) / 1000));
	return `held by ${holder.user}@${holder.host} pid ${holder.pid} since ${holder.acquiredAt} (${age} s) running ${JSON.stringify(holder.command)}${holder.reason ? ` because ${JSON.stringify(holder.reason)}` : ''}`;
}
