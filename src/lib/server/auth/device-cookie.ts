import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Cookies } from '@sveltejs/kit';
import type { DB } from '../db/connection';
import { serverSecret } from './server-secrets';

/**
 * OWASP's "device cookies": a browser that has signed in as someone before carries a token, signed
 * with a server key (HMAC-SHA256), naming that username and a random device id. With it, sign-in is
 * limited by that device's own failures only, so a classmate guessing a child's password from
 * elsewhere (or from the same school address) cannot keep the child's own device out. One cookie
 * holds the tokens of the last few people who signed in on the browser (a classroom's shared iPad).
 */
export const DEVICE_COOKIE = 'fusion_device';
const DAY_MS = 24 * 60 * 60 * 1000;
export const DEVICE_TOKEN_LIFETIME_MS = 365 * DAY_MS;
const MAX_TOKENS = 12;
const SECRET_NAME = 'device-cookie';

interface DeviceToken {
	username: string;
	device: string;
	issuedAt: number;
	raw: string;
}

async function mac(db: DB, username: string, device: string, issuedAt: number): Promise<string> {
	return createHmac('sha256', await serverSecret(db, SECRET_NAME))
		.update(`device-cookie\n${username}\n${device}\n${issuedAt}`)
		.digest('base64url');
}

function parse(raw: string): (Omit<DeviceToken, 'raw'> & { mac: string }) | null {
	const parts = raw.split('.');
	if (parts.length !== 4) return null;
	const [name, device, issued, signature] = parts as [string, string, string, string];
	if (!/^[A-Za-z0-9_-]{1,400}$/.test(name) || !/^[A-Za-z0-9_-]{22}$/.test(device)) return null;
	if (!/^\d{1,15}$/.test(issued) || !/^[A-Za-z0-9_-]{43}$/.test(signature)) return null;
	return {
		username: Buffer.from(name, 'base64url').toString('utf8'),
		device,
		issuedAt: Number(issued),
		mac: signature
	};
}

/** The cookie's tokens whose signature holds and which have not expired. */
async function validTokens(
	db: DB,
	cookie: string | undefined,
	now: number
): Promise<DeviceToken[]> {
	if (!cookie || cookie.length > 8000) return [];
	const tokens: DeviceToken[] = [];
	for (const raw of cookie.split('~').slice(0, MAX_TOKENS)) {
		const token = parse(raw);
		if (!token || now - token.issuedAt >= DEVICE_TOKEN_LIFETIME_MS || token.issuedAt > now + DAY_MS)
			continue;
		const expected = Buffer.from(await mac(db, token.username, token.device, token.issuedAt));
		const given = Buffer.from(token.mac);
		if (expected.length === given.length && timingSafeEqual(expected, given))
			tokens.push({ ...token, raw });
	}
	return tokens;
}

/** The device id this browser holds for `username`, if it has signed in as them before. */
export async function knownDevice(
	db: DB,
	cookie: string | undefined,
	username: string,
	now = new Date()
): Promise<string | null> {
	const token = (await validTokens(db, cookie, now.getTime())).find((t) => t.username === username);
	return token?.device ?? null;
}

/**
 * The cookie after `username` signed in on this browser: their token renewed (same device id, new
 * date) or added, first; others kept up to the limit.
 */
export async function cookieAfterSignIn(
	db: DB,
	cookie: string | undefined,
	username: string,
	now = new Date()
): Promise<string> {
	const tokens = await validTokens(db, cookie, now.getTime());
	const device =
		tokens.find((t) => t.username === username)?.device ?? randomBytes(16).toString('base64url');
	const issuedAt = now.getTime();
	const name = Buffer.from(username, 'utf8').toString('base64url');
	const mine = `${name}.${device}.${issuedAt}.${await mac(db, username, device, issuedAt)}`;
	const others = tokens.filter((t) => t.username !== username).map((t) => t.raw);
	return [mine, ...others].slice(0, MAX_TOKENS).join('~');
}

export function setDeviceCookie(
	cookies: Pick<Cookies, 'set'>,
	value: string,
	secure: boolean
): void {
	cookies.set(DEVICE_COOKIE, value, {
		httpOnly: true,
		sameSite: 'lax',
		secure,
		maxAge: DEVICE_TOKEN_LIFETIME_MS / 1000,
		path: '/'
	});
}
