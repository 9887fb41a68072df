import { onDestroy } from 'svelte';
import { page } from '$app/state';
import {
	SaveConflict,
	SaveFailure,
	SaveQueue,
	type Conflict,
	type SaveSnapshot,
	type SendResult,
	type UnsavedChange
} from './save-queue';
import { deviceCopy, type DeviceCopy } from './device-copy';

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
			'You have been signed out. Your changes are kept on this device: sign in again to save them.',
			false,
			true
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
		conflicts: [],
		signedOut: false
	});
	/** How many changes were brought back from this device when the page opened. */
	restored = $state(0);
	private readonly queue: SaveQueue<Change>;
	private readonly apply: (key: string, fields: Record<string, unknown>) => void;
	readonly describe: (conflict: Conflict) => ConflictView;
	private readonly copy: DeviceCopy<Change> | null;

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
		// Only changes that name their base are kept on the device: restored, they still cannot
		// overwrite newer work.
		// One copy per person and screen: a shared Chromebook keeps each child's apart.
		const userId = typeof window === 'undefined' ? undefined : page.data.user?.id;
		this.copy = checked && userId ? deviceCopy<Change>(`${userId}:${url}`) : null;
		this.queue = new SaveQueue({
			send: (_key, payload, baseRevision) =>
				putJson(url, checked ? { ...payload, baseRevision } : payload),
			onChange: (snapshot) => (this.status = snapshot),
			// A change the server refused for good (locked, invalid) is not kept for the next visit.
			onUnsaved: (changes) =>
				this.copy?.keep(this.status.state === 'failed' && !this.status.signedOut ? [] : changes),
			...(options.debounceMs !== undefined ? { debounceMs: options.debounceMs } : {}),
			revisions: options.revisions ?? {}
		});
		if (typeof window === 'undefined') return;
		const kept = this.copy?.claim() ?? [];
		if (kept.length) {
			this.restored = kept.length;
			this.queue.restore(kept);
			for (const change of kept) this.apply(change.key, change.fields as Record<string, unknown>);
		}
		// Back online: send at once instead of waiting for the next retry.
		const online = () => {
			if (this.queue.hasUnsaved) this.queue.flush().catch(() => {});
		};
		window.addEventListener('online', online);
		try {
			onDestroy(() => {
				window.removeEventListener('online', online);
				this.copy?.stop();
			});
		} catch {
			/* made outside a component: lives as long as the page */
		}
	}

	/** The changes kept on this device for this screen (for tests and the sign-in dialog). */
	unsavedChanges(): UnsavedChange<Change>[] {
		return this.queue.unsavedChanges();
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
