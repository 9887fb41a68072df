import { seededRandom } from './random';
import { JOIN_CODE_ALPHABET } from './join-codes';

/**
 * Cross-school moderation's rules without I/O (docs/CITY-MODERATION.md): the draw of a round's
 * sample, its allocation to moderators of other schools, the opaque codes, the small-number rule and
 * the stripping of names from what a learner wrote.
 */

/** Four characters from the join codes' alphabet (no look-alikes, no vowels): "Sample 7F3K". */
export const SAMPLE_CODE_LENGTH = 4;
/** Cells resting on fewer pieces than this are shown to the city as "fewer than 5". */
export const SMALLEST_SHOWN = 5;
export const PER_SCHOOL_MAX = 50;

export interface DrawCandidate {
	submissionId: number;
	schoolId: number;
}
export interface DrawModerator {
	teacherId: number;
	/** the school they moderate for (recorded with the round) */
	schoolId: number;
	/** every school they belong to, in any role: none of these schools' work may go to them */
	memberOf: readonly number[];
}

/** Whether this school's work may go to this moderator: they belong to it in no role at all. */
export function isOutsideModerator(moderator: DrawModerator, schoolId: number): boolean {
	return moderator.schoolId !== schoolId && !moderator.memberOf.includes(schoolId);
}
export interface DrawnPiece {
	submissionId: number;
	schoolId: number;
	moderatorId: number;
	code: string;
}

/** Fisher–Yates with the round's generator. */
function shuffle<T>(items: readonly T[], random: () => number): T[] {
	const out = [...items];
	for (let i = out.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[out[i], out[j]] = [out[j]!, out[i]!];
	}
	return out;
}

/** Schools in the round with no moderator of another school: their work could not be marked. */
export function schoolsWithoutOutsideModerator(
	schoolIds: readonly number[],
	moderators: readonly DrawModerator[]
): number[] {
	return schoolIds.filter((s) => !moderators.some((m) => isOutsideModerator(m, s)));
}

/**
 * The round's sample, reproducible from its seed: per school (in id order) its released pieces in
 * submission-id order are shuffled and the first `perSchool` taken (all of them when it has fewer);
 * the whole sample is then shuffled, so neither the order nor the codes say which school a piece
 * came from. Each piece goes to the moderator with the fewest pieces so far (ties drawn) among
 * those who do not belong to its school in any role, so the work is shared as evenly as the
 * schools allow; codes are unique in the round.
 */
export function drawSample(input: {
	seed: number;
	perSchool: number;
	schoolIds: readonly number[];
	candidates: readonly DrawCandidate[];
	moderators: readonly DrawModerator[];
}): DrawnPiece[] {
	const random = seededRandom(input.seed);
	const picked: DrawCandidate[] = [];
	for (const schoolId of [...new Set(input.schoolIds)].sort((a, b) => a - b)) {
		const own = input.candidates
			.filter((c) => c.schoolId === schoolId)
			.sort((a, b) => a.submissionId - b.submissionId);
		picked.push(...shuffle(own, random).slice(0, input.perSchool));
	}
	const moderators = [...input.moderators].sort((a, b) => a.teacherId - b.teacherId);
	const load = new Map(moderators.map((m) => [m.teacherId, 0]));
	const used = new Set<string>();
	return shuffle(picked, random).map((piece) => {
		const outside = moderators.filter((m) => isOutsideModerator(m, piece.schoolId));
		if (outside.length === 0)
			throw new Error(`No moderator outside school ${piece.schoolId}: check before drawing.`);
		const fewest = Math.min(...outside.map((m) => load.get(m.teacherId)!));
		const tied = outside.filter((m) => load.get(m.teacherId) === fewest);
		const moderator = tied[Math.floor(random() * tied.length)]!;
		load.set(moderator.teacherId, fewest + 1);
		let code: string;
		do {
			code = Array.from(
				{ length: SAMPLE_CODE_LENGTH },
				() => JOIN_CODE_ALPHABET[Math.floor(random() * JOIN_CODE_ALPHABET.length)]
			).join('');
		} while (used.has(code));
		used.add(code);
		return { ...piece, moderatorId: moderator.teacherId, code };
	});
}

/** A seed for a new round: any 31-bit integer (kept on the round, so the draw can be repeated). */
export function seedFromBytes(bytes: Uint8Array): number {
	return ((bytes[0]! << 23) | (bytes[1]! << 15) | (bytes[2]! << 7) | (bytes[3]! >> 1)) >>> 0;
}

/**
 * What a learner wrote, with the names that would identify them or their school taken out
 * (each name a whole phrase, any case; longest first): the moderator must judge the work, not the
 * learner. Names of two letters or fewer are left (too many ordinary words), and so is everything
 * else they wrote.
 */
export function withoutNames(text: string, names: readonly string[]): string {
	let out = text;
	const words = [...new Set(names)]
		.map((n) => n.trim())
		.filter((n) => n.length > 2)
		.sort((a, b) => b.length - a.length);
	for (const word of words) {
		const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
		out = out.replace(
			new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'giu'),
			'[name removed]'
		);
	}
	return out;
}

/** A figure the city may see, or the small-number rule's "fewer than 5". */
export function suppressed(pieces: number): boolean {
	return pieces < SMALLEST_SHOWN;
}

/** Who a sample's work could be traced to: read on the server, only to take them out of the text. */
export interface SampleIdentity {
	givenName: string;
	familyName: string;
	username: string;
	schoolName: string;
	className: string;
}

/** The learner's names (full, given, family, username), their initials with dots, school and class. */
export function identifyingNames(who: SampleIdentity): string[] {
	const initials = [who.givenName, who.familyName].map((n) => n.trim().charAt(0)).join('');
	return [
		`${who.givenName} ${who.familyName}`,
		who.givenName,
		who.familyName,
		who.username,
		who.schoolName,
		who.className,
		// "A.S." and "A. S.": with the dots only, so the word "as" stays.
		...(initials.length === 2
			? [`${initials[0]}.${initials[1]}.`, `${initials[0]}. ${initials[1]}.`]
			: [])
	];
}

const CONTACT_DETAILS: readonly [RegExp, string][] = [
	[/[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}/gu, '[e-mail address removed]'],
	// An address ends before a closing full stop, comma or bracket.
	[/\b(?:https?:\/\/|www\.)[^\s<>"]*[^\s<>".,;:!?)]/giu, '[web address removed]'],
	// 10 or more digits, maybe with spaces, dots, dashes, brackets or a leading +: a phone number.
	[/(?<![\p{L}\p{N}])\+?(?:\d[\s().-]{0,2}){9,}\d(?![\p{L}\p{N}])/gu, '[phone number removed]'],
	// A social-media handle (@name), not an e-mail address (those went first).
	[/(?<![\p{L}\p{N}@])@[\p{L}\p{N}_]{2,}(?:\.[\p{L}\p{N}_]+)*/gu, '[handle removed]']
];

/**
 * What a learner wrote as another school's moderator reads it: any e-mail address, web address,
 * phone number (10 digits or more: a long number in the work goes too) or handle taken out, then
 * their names, initials, school and class (`withoutNames`). What is left may still identify someone (a nickname, a street): the page says so.
 */
export function anonymisedText(text: string, who: SampleIdentity): string {
	// Contact details first: a name inside an address ("ava.stone@…") must not break the address.
	let out = text;
	for (const [pattern, replacement] of CONTACT_DETAILS) out = out.replace(pattern, replacement);
	return withoutNames(out, identifyingNames(who));
}

/**
 * Whether a link's address carries a name of the learner or their school ("ava-stone.example",
 * "hillschool.org/…"): compared letters and digits only, any case, names of three or more.
 */
export function addressNamesSomeone(url: string, who: SampleIdentity): boolean {
	const squash = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
	const address = squash(url);
	return identifyingNames(who)
		.map(squash)
		.some((name) => name.length > 2 && address.includes(name));
}
