import pg from 'pg';
import { sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import { connectionStringOf, type DB } from '../db/connection';
import { cacheSessionValidations, signInsChangedElsewhere } from '../auth/sessions';
import { CLUSTER_CHANNEL, isPostgres } from '../db/dialect';

/**
 * What one app server must tell the others sharing its PostgreSQL database. With the SQLite file
 * there is one server, and an event reaches only this process's handlers. On PostgreSQL every
 * server LISTENs on one channel: `announce` delivers here at once and NOTIFYs the others (who
 * skip their own), and the database itself notifies `auth` when a table that decides who is
 * signed in changes (triggers of migration 0030: delivered at commit, whoever wrote).
 *
 * Topics: `auth` (a sign-out, password change, deactivation or role change: empty the session
 * cache, re-check live streams), `live` (a live session's picture changed), `presence` (which
 * learners have a live session open on a server).
 */
export type ClusterTopic = 'auth' | 'live' | 'presence';
type Handler = (payload: Record<string, unknown>) => void;

/** This process, as the other servers see it (so it skips its own notifications). */
export const SERVER_ID = randomUUID();

const handlers = new Map<ClusterTopic, Set<Handler>>();

export function onClusterEvent(topic: ClusterTopic, handler: Handler): () => void {
	const set = handlers.get(topic) ?? new Set();
	set.add(handler);
	handlers.set(topic, set);
	return () => set.delete(handler);
}

function deliver(topic: ClusterTopic, payload: Record<string, unknown>) {
	for (const handler of handlers.get(topic) ?? []) {
		try {
			handler(payload);
		} catch (problem) {
			console.error(`A ${topic} event handler failed:`, problem);
		}
	}
}

let announceVia: DB | undefined;

/**
 * Tells this server now (unless `hereToo` is false), and the others sharing the database
 * (PostgreSQL) moments later.
 */
export function announce(
	topic: ClusterTopic,
	payload: Record<string, unknown> = {},
	{ hereToo = true } = {}
): void {
	if (hereToo) deliver(topic, payload);
	const db = announceVia;
	if (!db) return;
	const message = JSON.stringify({ topic, origin: SERVER_ID, ...payload });
	// A lost notification is a picture a few seconds late (streams re-read on their heartbeat), not
	// a wrong one: a failure is logged, not thrown at the request that caused it.
	sql`select pg_notify(${CLUSTER_CHANNEL}, ${message})`
		.execute(db)
		.catch((problem) => console.error('Could not tell the other servers:', problem));
}

let listening: { client: pg.Client; db: DB } | undefined;
let stopped = false;

/**
 * Joins the other servers (PostgreSQL only): LISTEN on the channel, and until that works (and
 * whenever the listening connection drops) keep no session cache, so nothing this server holds can
 * be staler than the database. Reconnects with back-off.
 */
export async function startClusterEvents(db: DB): Promise<void> {
	if (!isPostgres(db) || listening) return;
	announceVia = db;
	stopped = false;
	cacheSessionValidations(db, false);
	let delay = 500;
	let reconnect: ReturnType<typeof setTimeout> | undefined;
	const tryAgainLater = (problem?: unknown) => {
		cacheSessionValidations(db, false);
		listening = undefined;
		if (stopped || reconnect) return;
		if (problem)
			console.error(`Cannot hear the other servers; trying again in ${delay} ms:`, problem);
		reconnect = setTimeout(() => {
			reconnect = undefined;
			void connect();
		}, delay);
		reconnect.unref();
		delay = Math.min(delay * 2, 30_000);
	};
	const connect = async (): Promise<void> => {
		// keepAlive: a connection dropped by the network, not closed, is noticed and replaced.
		const client = new pg.Client({ connectionString: connectionStringOf(db), keepAlive: true });
		client.on('notification', (message) => {
			if (message.channel !== CLUSTER_CHANNEL || !message.payload) return;
			let event: { topic?: ClusterTopic; origin?: string } & Record<string, unknown>;
			try {
				event = JSON.parse(message.payload);
			} catch {
				return;
			}
			if (!event.topic || event.origin === SERVER_ID) return;
			if (event.topic === 'auth') signInsChangedElsewhere(db);
			deliver(event.topic, event);
		});
		// Either may come alone when the connection drops; tryAgainLater runs once per drop.
		client.on('error', (problem) => tryAgainLater(problem));
		client.on('end', () => tryAgainLater());
		try {
			await client.connect();
			await client.query(`listen ${CLUSTER_CHANNEL}`);
		} catch (problem) {
			client.end().catch(() => {});
			return tryAgainLater(problem);
		}
		if (stopped) return void client.end();
		listening = { client, db };
		delay = 500;
		// Whatever changed while no one listened: start from the database again.
		signInsChangedElsewhere(db);
		cacheSessionValidations(db, true);
	};
	await connect();
}

export async function stopClusterEvents(): Promise<void> {
	stopped = true;
	announceVia = undefined;
	await listening?.client.end();
	listening = undefined;
}

/** Whether this server hears the others now (for /healthz). */
export function clusterListening(): boolean {
	return listening !== undefined;
}
