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

/** A person needs a stream per open tab; more is a reload's leftovers, or someone hammering. */
export const MAX_STREAMS_PER_VIEWER = 4;
/** Keeps proxies from closing an idle stream, and is when the viewer's access is asked again. */
export const HEARTBEAT_MS = 20_000;

interface OpenStream {
	viewerId: number;
	recheck: () => void;
	end: (reason: StreamEnd) => void;
}
/** In the order they opened, so the oldest of a viewer's streams is the one to end. */
const openStreams = new Set<OpenStream>();

type StreamEnd = 'no-access' | 'replaced';

/** Asks every open stream whether its viewer may still watch (after a sign-out, say). */
export function recheckOpenStreams(): void {
	for (const stream of openStreams) stream.recheck();
}

export function openStreamCount(viewerId?: number): number {
	return [...openStreams].filter((s) => viewerId === undefined || s.viewerId === viewerId).length;
}

/**
 * A text/event-stream response that sends `snapshot()` now and after every publish, until the
 * client leaves or the session closes. Before every send and heartbeat it asks `stillAllowed()`:
 * a viewer who signed out, lost the role or left the class gets an `ended` event and the stream
 * closes (the browser's reconnection is then refused by the route). `once` sends the current
 * picture and ends (for scripts and checks).
 */
export function eventStream(options: {
	sessionId: number;
	viewerId: number;
	signal: AbortSignal;
	snapshot: () => Promise<{ state: string }>;
	stillAllowed: () => Promise<boolean>;
	once?: boolean;
	heartbeatMs?: number;
}): Response {
	const { sessionId, viewerId, signal, snapshot, stillAllowed, once = false } = options;
	const encoder = new TextEncoder();
	let cleanup = () => {};
	const stream = new ReadableStream<Uint8Array>({
		start(controller) {
			let closed = false;
			let sending = Promise.resolve();
			const enqueue = (text: string) => !closed && controller.enqueue(encoder.encode(text));
			const end = (reason: StreamEnd) => {
				enqueue(`event: ended\ndata: ${JSON.stringify({ reason })}\n\n`);
				cleanup();
			};
			/** Every write waits its turn, and none goes out unless the viewer may still see it. */
			const inTurn = (write: () => Promise<void> | void) => {
				sending = sending.then(async () => {
					if (closed) return;
					try {
						if (!(await stillAllowed())) return end('no-access');
						await write();
					} catch {
						cleanup();
					}
				});
			};
			const send = () =>
				inTurn(async () => {
					const picture = await snapshot();
					enqueue(`event: update\ndata: ${JSON.stringify(picture)}\n\n`);
					if (once || picture.state === 'closed') cleanup();
				});
			const self: OpenStream = { viewerId, recheck: () => inTurn(() => {}), end };
			const mine = [...openStreams].filter((s) => s.viewerId === viewerId);
			for (const old of mine.slice(0, Math.max(0, mine.length - MAX_STREAMS_PER_VIEWER + 1)))
				old.end('replaced');
			openStreams.add(self);
			const unsubscribe = subscribe(sessionId, send);
			const heartbeat = setInterval(
				() => inTurn(() => void enqueue(': keep-alive\n\n')),
				options.heartbeatMs ?? HEARTBEAT_MS
			);
			cleanup = () => {
				if (closed) return;
				closed = true;
				openStreams.delete(self);
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
