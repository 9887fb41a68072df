import { announce, onClusterEvent } from '../cluster/events';

/**
 * Live-session updates: a placement or a reveal publishes the session's id (`publishLive`), and
 * every open event stream for it, on this server and on every other app server sharing the
 * PostgreSQL database (cluster/events.ts), re-reads and sends the new picture. Nothing here is the
 * source of truth: the database is, and a missed event is made good by the next one.
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

function publishHere(sessionId: number): void {
	for (const listener of listeners.get(sessionId) ?? []) listener();
}

/** The session's picture changed: every stream of it, on every server, sends it again. */
export function publishLive(sessionId: number): void {
	announce('live', { sessionId });
}

onClusterEvent('live', (event) => publishHere(Number(event.sessionId)));

/**
 * Learners with the session open on other servers, as those servers last said (each repeats it
 * every heartbeat; a server that stops saying it is forgotten after PRESENCE_TTL_MS).
 */
const elsewhere = new Map<string, Map<number, { viewers: number[]; until: number }>>();
const PRESENCE_TTL_MS = 50_000;

onClusterEvent('presence', (event) => {
	const sessionId = Number(event.sessionId);
	if (typeof event.origin === 'string') {
		const byServer = elsewhere.get(event.origin) ?? new Map();
		elsewhere.set(event.origin, byServer);
		const viewers = Array.isArray(event.viewers) ? event.viewers.map(Number) : [];
		byServer.set(sessionId, { viewers, until: Date.now() + PRESENCE_TTL_MS });
	}
	publishHere(sessionId);
});

function joinedHere(sessionId: number): number[] {
	return [
		...new Set(
			[...openStreams].filter((s) => s.sessionId === sessionId && s.joined).map((s) => s.viewerId)
		)
	];
}

/** Who has the session open on this server changed: tell every server (this one included). */
function announcePresence(sessionId: number): void {
	announce('presence', { sessionId, viewers: joinedHere(sessionId) });
}

let presenceRepeater: ReturnType<typeof setInterval> | undefined;
function repeatPresence() {
	presenceRepeater ??= setInterval(() => {
		const sessions = new Set([...openStreams].filter((s) => s.joined).map((s) => s.sessionId));
		for (const sessionId of sessions)
			announce('presence', { sessionId, viewers: joinedHere(sessionId) }, { hereToo: false });
	}, HEARTBEAT_MS);
	presenceRepeater.unref?.();
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

/**
 * Learners with the session open now (a phone on its page), each once however many tabs, on any
 * app server.
 */
export function learnersHere(sessionId: number): Set<number> {
	const here = new Set(joinedHere(sessionId));
	const now = Date.now();
	for (const byServer of elsewhere.values()) {
		const seen = byServer.get(sessionId);
		if (seen && seen.until > now) for (const viewer of seen.viewers) here.add(viewer);
	}
	return here;
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
				if (joined) announcePresence(sessionId);
				try {
					controller.close();
				} catch {
					/* already closed */
				}
			};
			signal.addEventListener('abort', cleanup);
			// A learner arriving changes the projector's count: everyone's picture, this one's included.
			if (joined) {
				repeatPresence();
				announcePresence(sessionId);
			} else send();
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
