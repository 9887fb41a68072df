/**
 * Live-session updates inside this server process: a placement or a reveal publishes the session's
 * id, and every open event stream for it re-reads and sends the new picture. One process serves
 * the app (adapter-node), so an in-memory hub is enough; nothing here is the source of truth.
 */
type Listener = () => void;
const listeners = new Map<number, Set<Listener>>();

export function subscribe(sessionId: number, listener: Listener): () => void {
	const set = listeners.get(sessionId) ?? new Set();
	set.add(listener);
	listeners.set(sessionId, set);
	return () => {
		set.delete(listener);
		if (set.size === 0) listeners.delete(sessionId);
	};
}

export function publish(sessionId: number): void {
	for (const listener of listeners.get(sessionId) ?? []) listener();
}

/**
 * A text/event-stream response that sends `snapshot()` now and after every publish, until the
 * client leaves or the session closes. `once` sends the current picture and ends (for scripts and
 * checks).
 */
export function eventStream(
	sessionId: number,
	signal: AbortSignal,
	snapshot: () => Promise<{ state: string }>,
	once = false
): Response {
	const encoder = new TextEncoder();
	let cleanup = () => {};
	const stream = new ReadableStream<Uint8Array>({
		start(controller) {
			let closed = false;
			let sending = Promise.resolve();
			const send = () => {
				sending = sending.then(async () => {
					if (closed) return;
					try {
						const picture = await snapshot();
						controller.enqueue(
							encoder.encode(`event: update\ndata: ${JSON.stringify(picture)}\n\n`)
						);
						if (once || picture.state === 'closed') cleanup();
					} catch {
						cleanup();
					}
				});
			};
			const unsubscribe = subscribe(sessionId, send);
			// Keeps proxies from closing an idle stream.
			const heartbeat = setInterval(
				() => !closed && controller.enqueue(encoder.encode(': keep-alive\n\n')),
				20_000
			);
			cleanup = () => {
				if (closed) return;
				closed = true;
				unsubscribe();
				clearInterval(heartbeat);
				try {
					controller.close();
				} catch {
					/* already closed */
				}
			};
			signal.addEventListener('abort', cleanup);
			send();
		},
		cancel() {
			cleanup();
		}
	});
	return new Response(stream, {
		headers: {
			'content-type': 'text/event-stream',
			'cache-control': 'no-cache, no-transform',
			'x-accel-buffering': 'no'
		}
	});
}
