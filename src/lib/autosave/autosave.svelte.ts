import {
	SaveConflict,
	SaveFailure,
	SaveQueue,
	type Conflict,
	type SaveSnapshot,
	type SendResult
} from './save-queue';

/**
 * Sends one change as JSON, with the revision it was based on. 5xx and network errors are worth
 * retrying; a 4xx is the server saying no (locked, invalid, signed out), so its message is shown
 * instead of retrying blindly; a 409 that carries the server's current version is a conflict.
 */
export async function putJson(url: string, body: object): Promise<SendResult> {
	let response: Response;
	try {
		response = await fetch(url, {
			method: 'PUT',
			headers: { 'content-type': 'application/json', accept: 'application/json' },
			body: JSON.stringify(body)
		});
	} catch {
		throw new SaveFailure('You seem to be offline.', true);
	}
	const answer = (await response.json().catch(() => ({}))) as {
		message?: string;
		revision?: number | null;
		current?: { revision: number } & Record<string, unknown>;
	};
	if (response.ok) return { revision: answer.revision };
	if (response.status >= 500 || response.status === 429)
		throw new SaveFailure('The server had a problem.', true);
	if (response.status === 401)
		throw new SaveFailure(
			'Your session has ended: sign in again in another tab, then press Retry.',
			false
		);
	if (response.status === 409 && answer.current)
		throw new SaveConflict(answer.message ?? 'This was changed elsewhere.', answer.current);
	throw new SaveFailure(
		answer.message ?? `The server refused the change (${response.status}).`,
		false
	);
}

/** How the save bar shows one conflict: what it is, and each field in both versions. */
export interface ConflictView {
	label: string;
	fields: { name: string; mine: string; theirs: string; text: boolean }[];
}

/**
 * A save queue whose state Svelte components can read reactively. `Change` is what the endpoint
 * accepts (its zod schema's type), so a component cannot queue a change the server would refuse
 * as malformed.
 */
export class Autosave<Change extends object = Record<string, unknown>> {
	status: SaveSnapshot = $state({
		state: 'idle',
		message: '',
		unsaved: 0,
		retryAt: null,
		lastSavedAt: null,
		conflicts: []
	});
	private readonly queue: SaveQueue<Change>;
	private readonly apply: (key: string, fields: Record<string, unknown>) => void;
	readonly describe: (conflict: Conflict) => ConflictView;

	/**
	 * `revisions`: each key's revision as the page loaded it (given: every save names its base). `apply` puts the server's fields into
	 * the page's own copy (after "Use the other", or beside a kept change); `describe` says how the
	 * save bar shows a conflict.
	 */
	constructor(
		url: string,
		options: {
			debounceMs?: number;
			revisions?: Record<string, number>;
			apply?: (key: string, fields: Record<string, unknown>) => void;
			describe?: (conflict: Conflict) => ConflictView;
		} = {}
	) {
		this.apply = options.apply ?? (() => {});
		this.describe =
			options.describe ?? ((c) => ({ label: c.key, fields: textFields(c, { text: 'Text' }) }));
		// Only a screen that loaded revisions names a base: an endpoint without revisions (the live
		// placement) is sent the change alone.
		const checked = options.revisions !== undefined;
		this.queue = new SaveQueue({
			send: (_key, payload, baseRevision) =>
				putJson(url, checked ? { ...payload, baseRevision } : payload),
			onChange: (snapshot) => (this.status = snapshot),
			...(options.debounceMs !== undefined ? { debounceMs: options.debounceMs } : {}),
			revisions: options.revisions ?? {}
		});
	}

	update(key: string, change: Change) {
		this.queue.update(key, change);
	}

	flush() {
		return this.queue.flush();
	}

	/** "Keep mine": resend the person's version on the server's revision. */
	keepMine(key: string) {
		this.apply(key, this.queue.keepMine(key));
	}

	/** "Use the other": drop the person's change and show the server's version. */
	useTheirs(key: string) {
		this.apply(key, this.queue.useTheirs(key));
	}

	get hasUnsaved() {
		return this.queue.hasUnsaved;
	}
}

/**
 * The fields of a conflict for the save bar: each field the person changed, named by `names`;
 * `value` (a slider) is shown with `showValue`, the others as text to copy from.
 */
export function textFields(
	conflict: Conflict,
	names: Record<string, string>,
	showValue: (value: number | null) => string = (v) => (v === null ? 'Not placed' : String(v))
): ConflictView['fields'] {
	return Object.entries(names)
		.filter(([field]) => field in conflict.mine)
		.map(([field, name]) =>
			field === 'value'
				? {
						name,
						mine: showValue((conflict.mine.value as number | null) ?? null),
						theirs: showValue((conflict.theirs.value as number | null) ?? null),
						text: false
					}
				: {
						name,
						mine: String(conflict.mine[field] ?? ''),
						theirs: String(conflict.theirs[field] ?? ''),
						text: true
					}
		);
}
