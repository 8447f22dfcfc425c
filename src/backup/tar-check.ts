/** What a tar stream held, as far as it was read. */
export interface TarSummary {
	/** Entries (files, directories, links…), not counting pax/GNU extension headers. */
	readonly entries: number;
	/** Bytes of file content. */
	readonly contentBytes: number;
	/** The end-of-archive marker (a zero block) was seen: the stream was not cut short. */
	readonly complete: boolean;
}

/** An archive that is not a well-formed tar: a bad header checksum, or a header where none can be. */
export class TarCorrupt extends Error {
	constructor(
		readonly offset: number,
		readonly problem: string,
	) {
		super(`not a valid tar archive at byte ${offset}: ${problem}`);
		this.name = 'TarCorrupt';
	}
}

const BLOCK = 512;

/**
 * Walks a tar stream as it flows (ustar, pax and GNU headers, as Go's archive/tar writes them for
 * `docker cp`), checking every header's checksum without keeping the content. `onEntry` sees each
 * entry's name; returning false stops the walk (enough was seen).
 */
export class TarCheck {
	#buffer = Buffer.alloc(0);
	#offset = 0;
	/** Bytes of content (plus padding) still to skip before the next header. */
	#skip = 0;
	#entries = 0;
	#contentBytes = 0;
	#complete = false;
	#stopped = false;
	/** A pax `size` or `path` record for the next entry; a pax header's own content is read, not skipped. */
	#paxSize: number | undefined;
	#paxPath: string | undefined;
	#readingPax: { size: number; global: boolean } | undefined;
	#longName: { size: number } | undefined;

	constructor(private readonly onEntry: (name: string) => boolean = () => true) {}

	/** Feeds the next chunk; throws TarCorrupt at the first bad header. */
	push(chunk: Buffer): void {
		if (this.#complete || this.#stopped) return;
		let data = this.#buffer.length > 0 ? Buffer.concat([this.#buffer, chunk]) : chunk;
		while (data.length > 0 && !this.#complete && !this.#stopped) {
			if (this.#skip > 0) {
				const n = Math.min(this.#skip, data.length);
				this.#skip -= n;
				this.#offset += n;
				data = data.subarray(n);
				continue;
			}
			const pending = this.#readingPax ?? this.#longName;
			const need = pending ? padded(pending.size) : BLOCK;
			if (data.length < need) break;
			const block = data.subarray(0, need);
			data = data.subarray(need);
			if (this.#readingPax) this.#pax(block.subarray(0, this.#readingPax.size).toString('utf8'));
			else if (this.#longName) this.#paxPath = cString(block.subarray(0, this.#longName.size));
			else this.#header(block);
			if (pending) {
				this.#readingPax = undefined;
				this.#longName = undefined;
			}
			this.#offset += need;
		}
		this.#buffer = Buffer.from(data);
	}

	summary(): TarSummary {
		return { entries: this.#entries, contentBytes: this.#contentBytes, complete: this.#complete };
	}

	#header(block: Buffer): void {
		if (block.every(byte => byte === 0)) {
			this.#complete = true;
			return;
		}
		const stored = octal(block.subarray(148, 156));
		let sum = 8 * 0x20;
		for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += block[i]!;
		if (stored !== sum) throw new TarCorrupt(this.#offset, `header checksum ${stored} is not ${sum}`);
		const type = String.fromCharCode(block[156]!);
		const size = this.#paxSize ?? numeric(block.subarray(124, 136));
		if (size === undefined) throw new TarCorrupt(this.#offset, 'unreadable size field');
		if (type === 'x' || type === 'g') {
			this.#readingPax = { size, global: type === 'g' };
			return;
		}
		if (type === 'L') {
			this.#longName = { size };
			return;
		}
		const prefix = cString(block.subarray(345, 500));
		const name = this.#paxPath ?? (prefix === '' ? '' : `${prefix}/`) + cString(block.subarray(0, 100));
		this.#paxPath = undefined;
		this.#paxSize = undefined;
		this.#entries++;
		// Only regular files carry content; a hard link or directory with a size field still has none stored.
		const content = type === '0' || type === '\0' || type === '7' ? size : 0;
		this.#contentBytes += content;
		this.#skip = padded(content);
		if (!this.onEntry(name)) this.#stopped = true;
	}

	#pax(text: string): void {
		// Records are "<length> key=value\n".
		for (const record of text.split('\n')) {
			const match = /^\d+ ([^=]+)=(.*)$/s.exec(record);
			if (!match || this.#readingPax?.global) continue;
			if (match[1] === 'size') this.#paxSize = Number(match[2]);
			if (match[1] === 'path') this.#paxPath = match[2];
		}
	}
}

function padded(size: number): number {
	return Math.ceil(size / BLOCK) * BLOCK;
}

function cString(bytes: Buffer): string {
	const end = bytes.indexOf(0);
	return bytes.subarray(0, end === -1 ? bytes.length : end).toString('utf8');
}

function octal(bytes: Buffer): number {
	const text = cString(bytes).trim();
	return text === '' ? 0 : Number.parseInt(text, 8);
}

/** A size field: octal, or GNU base-256 (high bit set) for sizes past 8 GiB. */
function numeric(bytes: Buffer): number | undefined {
	if ((bytes[0]! & 0x80) !== 0) {
		let value = bytes[0]! & 0x7f;
		for (let i = 1; i < bytes.length; i++) value = value * 256 + bytes[i]!;
		return value;
	}
	const text = cString(bytes).trim();
	if (text !== '' && !/^[0-7]+$/.test(text)) return undefined;
	return text === '' ? 0 : Number.parseInt(text, 8);
}
