/**
 * Printable sign-in cards: the rules that need no database. A card holds a link (as a QR code) and
 * a short code to type, both one-time and short-lived; see server/auth/sign-in-cards.ts.
 */

const HOUR_MS = 60 * 60 * 1000;

/**
 * How long a printed card works, chosen when printing. The default, 12 hours, covers a school day
 * from whenever the cards are printed that morning, and is over by the next: the school's time zone
 * is not known to the server, so "end of today" would be guesswork. An hour is for cards handed out
 * at once; a week is the longest, for cards printed ahead of a lesson later in the week.
 */
export const CARD_LIFETIMES = {
	'1h': { label: '1 hour', ms: HOUR_MS },
	'12h': { label: '12 hours (a school day)', ms: 12 * HOUR_MS },
	'7d': { label: '7 days', ms: 7 * 24 * HOUR_MS }
} as const;
export type CardLifetime = keyof typeof CARD_LIFETIMES;
export const CARD_LIFETIME_CHOICES = Object.keys(CARD_LIFETIMES) as [
	CardLifetime,
	...CardLifetime[]
];
export const DEFAULT_CARD_LIFETIME: CardLifetime = '12h';

export function cardExpiry(lifetime: CardLifetime, now: Date): Date {
	return new Date(now.getTime() + CARD_LIFETIMES[lifetime].ms);
}

/**
 * The typed code's letters: digits and capitals without the ones a child (or a font) confuses —
 * 0/O, 1/I/L — so 31 symbols; 8 of them are about 40 bits, out of reach of guessing under the
 * sign-in delays while the card lives.
 */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const CODE_LENGTH = 8;

/** A uniformly random code (rejection sampling: no letter is likelier than another). */
export function randomCardCode(randomByte: () => number): string {
	let code = '';
	const limit = 256 - (256 % CODE_ALPHABET.length);
	while (code.length < CODE_LENGTH) {
		const byte = randomByte();
		if (byte < limit) code += CODE_ALPHABET[byte % CODE_ALPHABET.length];
	}
	return code;
}

/** As printed: two groups of four, easier to copy ("K7QM-3XTA"). */
export function formatCardCode(code: string): string {
	return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * What a child typed, read kindly: spaces and dashes dropped, lower case raised. Null when it cannot
 * be a code at all (wrong length, a letter the alphabet leaves out), so the form can say so without
 * counting it as a guess.
 */
export function normaliseCardCode(typed: string): string | null {
	const code = typed.toUpperCase().replace(/[\s\-–—]/g, '');
	if (code.length !== CODE_LENGTH) return null;
	for (const letter of code) if (!CODE_ALPHABET.includes(letter)) return null;
	return code;
}

/**
 * The name a card and its confirm page show: the given name and the family name's initial
 * ("Amira B."), enough for a child to find their own card, less for a lost card to tell a stranger.
 */
export function cardName(givenName: string, familyName: string): string {
	const initial = [...familyName.trim()][0];
	return initial ? `${givenName.trim()} ${initial.toUpperCase()}.` : givenName.trim();
}
