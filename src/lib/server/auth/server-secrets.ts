import { randomBytes } from 'node:crypto';
import type { DB } from '../db/connection';
import { nowIso } from '../clock';

/**
 * Server-wide secrets live in the database, as the schools' badge-signing keys do: made on first
 * use with 32 random bytes, so every installation has its own and none is in the repository (a
 * backup carries them with the data they protect).
 */
const secrets = new WeakMap<DB, Map<string, Promise<Buffer>>>();

export function serverSecret(db: DB, name: string): Promise<Buffer> {
	let byName = secrets.get(db);
	if (!byName) secrets.set(db, (byName = new Map()));
	let secret = byName.get(name);
	if (!secret) {
		secret = readOrMake(db, name);
		secret.catch(() => byName.delete(name));
		byName.set(name, secret);
	}
	return secret;
}

async function readOrMake(db: DB, name: string): Promise<Buffer> {
	await db
		.insertInto('server_secrets')
		.values({ name, secret: randomBytes(32).toString('base64url'), created_at: nowIso() })
		.onConflict((oc) => oc.column('name').doNothing())
		.execute();
	const row = await db
		.selectFrom('server_secrets')
		.select('secret')
		.where('name', '=', name)
		.executeTakeFirstOrThrow();
	return Buffer.from(row.secret, 'base64url');
}
