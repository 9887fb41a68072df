/**
 * The short code a class types to join a live session from the projector. Six characters from an
 * alphabet with no look-alikes (no 0/O, 1/I/L) and no vowels (so no code spells a word a class
 * would laugh at), read case-insensitively and with any spaces or dashes a phone or a child adds.
 * 28 characters to the power of 6 is about 480 million codes, against a handful open at once.
 */
export const JOIN_CODE_ALPHABET = 'BCDFGHJKMNPQRSTVWXYZ23456789';
export const JOIN_CODE_LENGTH = 6;

/**
 * A code from random bytes (the caller's CSPRNG), by rejection sampling so every character is
 * equally likely: bytes at or above the largest multiple of the alphabet's size are skipped.
 * Returns null when the bytes ran out first (the caller asks again with more).
 */
export function joinCodeFromBytes(bytes: Uint8Array): string | null {
	const size = JOIN_CODE_ALPHABET.length;
	const limit = Math.floor(256 / size) * size;
	let code = '';
	for (const byte of bytes) {
		if (byte >= limit) continue;
		code += JOIN_CODE_ALPHABET[byte % size];
		if (code.length === JOIN_CODE_LENGTH) return code;
	}
	return null;
}

/** What a learner typed, as a code ("bcd 234", "BCD-234" → "BCD234"), or null if it cannot be one. */
export function normaliseJoinCode(typed: string): string | null {
	const code = typed.replace(/[\s-]+/g, '').toUpperCase();
	if (code.length !== JOIN_CODE_LENGTH) return null;
	for (const character of code) if (!JOIN_CODE_ALPHABET.includes(character)) return null;
	return code;
}

/** "BCD 234": two groups of three, easier to read from the back of a room and to copy. */
export function formatJoinCode(code: string): string {
	return `${code.slice(0, 3)} ${code.slice(3)}`;
}
