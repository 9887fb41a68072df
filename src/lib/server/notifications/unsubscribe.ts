import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DB } from '../db/connection';
import { serverSecret } from '../auth/server-secrets';

/**
 * The one-click unsubscribe link in every message works signed out, so its token is the person's
 * id and its purpose signed with a server secret (HMAC-SHA-256): nobody can make one for someone
 * else, and nothing is stored. It stops e-mail only, and does it again harmlessly; it never signs
 * anyone in.
 */
const PURPOSE = 'email-unsubscribe';

function signature(secret: Buffer, userId: number): string {
	return createHmac('sha256', secret).update(`${PURPOSE}:${userId}`).digest('base64url');
}

export async function unsubscribeToken(db: DB, userId: number): Promise<string> {
	return `${userId}.${signature(await serverSecret(db, PURPOSE), userId)}`;
}

/** The person a token names, or null when it was not made here (tampered, truncated, made up). */
export async function userOfUnsubscribeToken(db: DB, token: string): Promise<number | null> {
	const match = /^([1-9]\d{0,9})\.([A-Za-z0-9_-]{43})$/.exec(token);
	if (!match) return null;
	const userId = Number(match[1]);
	const expected = Buffer.from(signature(await serverSecret(db, PURPOSE), userId));
	const given = Buffer.from(match[2]!);
	return given.length === expected.length && timingSafeEqual(given, expected) ? userId : null;
}
