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
	sessionId: number;
	viewerId: number;
	/** A learner's stream: the projector counts them as joined while it is open. */
	joined: boolean;
	recheck: () => void;
	end: (reason: StreamEnd) => void;
}
/** In the order they opened, so the oldest of a viewer's streams is the one to end. */
const openStreams = new Set<OpenStream>();

type StreamEnd = 'no-access' | 'replaced' | 'closed';

/** Asks every open stream whether its viewer may still watch (after a sign-out, say). */
export function recheckOpenStreams(): void {
	for (const stream of openStreams) stream.recheck();
}

export function openStreamCount(viewerId?: number): number {
	return [...openStreams].filter((s) => viewerId === undefined || s.viewerId === viewerId).length;
}

/** Learners with the session open now (a phone on its page), each once however many tabs. */
export function learnersHere(sessionId: number): Set<number> {
	return new Set(
		[...openStreams].filter((s) => s.sessionId === sessionId && s.joined).map((s) => s.viewerId)
	);
}

/**
 * A text/event-stream response that sends `snapshot()` now and after every publish, until the
 * client leaves or the session closes (then an `ended` event with reason `closed`). A `joined`
 * stream (a learner's) publishes when it opens and ends, so the projector's count of who is here
 * follows. Before every send and heartbeat it asks `stillAllowed()`:
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
	joined?: boolean;
	once?: boolean;
	heartbeatMs?: number;
}): Response {
	const { sessionId, viewerId, signal, snapshot, stillAllowed, once = false } = options;
	const joined = (options.joined ?? false) && !once;
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
					if (picture.state === 'closed') end('closed');
					else if (once) cleanup();
				});
			const self: OpenStream = {
				sessionId,
				viewerId,
				joined,
				recheck: () => inTurn(() => {}),
				end
			};
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
				if (joined) publish(sessionId);
				try {
					controller.close();
				} catch {
					/* already closed */
				}
			};
			signal.addEventListener('abort', cleanup);
			// A learner arriving changes the projector's count: everyone's picture, this one's included.
			if (joined) publish(sessionId);
			else send();
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
