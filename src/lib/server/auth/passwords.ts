import { hash, verify } from '@node-rs/argon2';

/** argon2id with OWASP's minimum profile (19 MiB, 2 passes): ~25 ms here, hard to brute-force. */
const ARGON2_OPTIONS = { memoryCost: 19456, timeCost: 2, outputLen: 32, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
	return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
	try {
		return await verify(passwordHash, password);
	} catch {
		return false; // a malformed stored hash must not let anyone in, nor crash the sign-in
	}
}

/** A hash of nothing, verified against when the username is unknown so both paths take as long. */
let decoyHash: Promise<string> | undefined;
export async function verifyAgainstDecoy(password: string): Promise<false> {
	decoyHash ??= hashPassword('decoy-password-for-timing');
	await verifyPassword(await decoyHash, password);
	return false;
}

/** Letters and digits that cannot be confused when read off a slip of paper (no 0/o, 1/l/i). */
const READABLE_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A one-time password an admin reads to a learner: 12 characters in three groups, ~59 bits. */
export function generateReadablePassword(): string {
	const bytes = new Uint8Array(12);
	crypto.getRandomValues(bytes);
	const chars = Array.from(bytes, (b) => READABLE_ALPHABET[b % READABLE_ALPHABET.length]);
	return [chars.slice(0, 4), chars.slice(4, 8), chars.slice(8)].map((g) => g.join('')).join('-');
}
