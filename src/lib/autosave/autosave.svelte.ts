import { SaveFailure, SaveQueue, type SaveSnapshot } from './save-queue';

/**
 * Sends one change as JSON. 5xx and network errors are worth retrying; a 4xx is the server saying
 * no (locked, invalid, signed out), so its message is shown instead of retrying blindly.
 */
export async function putJson(url: string, body: unknown): Promise<void> {
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
	if (response.ok) return;
	const message = await response
		.json()
		.then((b: { message?: string }) => b.message)
		.catch(() => undefined);
	if (response.status >= 500 || response.status === 429)
		throw new SaveFailure('The server had a problem.', true);
	if (response.status === 401)
		throw new SaveFailure(
			'Your session has ended: sign in again in another tab, then press Retry.',
			false
		);
	throw new SaveFailure(message ?? `The server refused the change (${response.status}).`, false);
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
		lastSavedAt: null
	});
	private readonly queue: SaveQueue<Change>;

	constructor(url: string, options: { debounceMs?: number } = {}) {
		this.queue = new SaveQueue({
			send: (_key, payload) => putJson(url, payload),
			onChange: (snapshot) => (this.status = snapshot),
			...options
		});
	}

	update(key: string, change: Change) {
		this.queue.update(key, change);
	}

	flush() {
		return this.queue.flush();
	}

	get hasUnsaved() {
		return this.queue.hasUnsaved;
	}
}
