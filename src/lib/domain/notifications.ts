import { formatDateTime } from './dates';
import { canonicalYearGroup } from './names';

/**
 * What the notification centre can tell someone (issue 15), and the facts each sentence needs.
 * Params hold ids and titles of things the recipient may see: never another learner's name.
 */
export const NOTIFICATION_KINDS = [
	'task_published',
	'due_tomorrow',
	'peer_reviews_waiting',
	'peer_window_closing',
	'ready_to_mark',
	'grades_released',
	'badge_awarded',
	'review_flagged',
	'save_conflict',
	'teacher_reminder',
	'extension_granted'
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface NotificationParams {
	taskId?: number;
	taskTitle?: string;
	className?: string;
	/** How many (reviews waiting, submissions ready to mark). */
	count?: number;
	badgeName?: string;
	/** An ISO timestamp the sentence names (a due date, a window's close). */
	at?: string;
	/** A teacher's own words with a reminder, already trimmed and length-checked. */
	message?: string;
}

/** What a person chose for e-mail: never, each notification as it happens, or one a day. */
export const EMAIL_PREFERENCES = ['none', 'each', 'daily'] as const;
export type EmailPreference = (typeof EMAIL_PREFERENCES)[number];

/**
 * Whoever has not chosen gets one message a day: a teacher with a class of 30 would otherwise get
 * a message per event, and one a day is what most people want from a school system.
 */
export const DEFAULT_EMAIL_PREFERENCE: EmailPreference = 'daily';

/** A school's usual minimum age for e-mail, until an admin sets another. */
export const DEFAULT_EMAIL_MINIMUM_AGE = 13;

/**
 * The youngest a pupil in this year group can be, in England and Wales (Year 1 turns 6 during the
 * year, so is at least 5; Year N is at least N + 4). Null when the year group says no age: such a
 * pupil counts as under any minimum age, never over it.
 */
export function youngestAgeOfYearGroup(yearGroup: string | null): number | null {
	const canonical = canonicalYearGroup(yearGroup);
	if (canonical === 'Reception') return 4;
	if (canonical === 'Nursery') return 3;
	return canonical !== null && /^\d+$/.test(canonical) ? Number(canonical) + 4 : null;
}

/**
 * Whether a person may be e-mailed at all: adults always; a pupil only when every pupil of their
 * year group is old enough. Pupils under the age cannot opt in themselves: the school decides, by
 * lowering its minimum age (a child cannot give consent a parent would have to).
 */
export function emailAllowed(
	person: { isPupil: boolean; yearGroup: string | null },
	minimumAge: number
): boolean {
	if (!person.isPupil) return true;
	const youngest = youngestAgeOfYearGroup(person.yearGroup);
	return youngest !== null && youngest >= minimumAge;
}

/** The preference in force: the person's own choice, their default, or none when not allowed. */
export function effectiveEmailPreference(
	chosen: EmailPreference | null,
	allowed: boolean
): EmailPreference {
	if (!allowed) return 'none';
	return chosen ?? DEFAULT_EMAIL_PREFERENCE;
}

/**
 * A notification opens a page of this site, nothing else: a path starting with one slash (not
 * `//host`, not `/\host`, which browsers read as another site), with no control characters.
 */
export function isSameSitePath(link: string): boolean {
	return /^\/(?![/\\])[^\s\\]*$/.test(link) && link.length <= 500;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The sentence a notification reads as, and a short subject naming what happened (e-mail). */
export interface NotificationText {
	subject: string;
	sentence: string;
}

/**
 * Each kind's sentence, from its params only (ids and titles the recipient may see). A missing
 * title reads as "a task", never as an empty quote.
 */
export function describeNotification(
	kind: NotificationKind,
	params: NotificationParams
): NotificationText {
	const task = params.taskTitle ? `“${params.taskTitle}”` : 'a task';
	const inClass = params.className ? ` in ${params.className}` : '';
	const count = params.count ?? 1;
	const at = params.at ? formatDateTime(params.at) : null;
	switch (kind) {
		case 'task_published':
			return {
				subject: `New task: ${params.taskTitle ?? 'a task'}`,
				sentence: `Your teacher set a new task${inClass}: ${task}.`
			};
		case 'due_tomorrow':
			return {
				subject: `Due tomorrow: ${params.taskTitle ?? 'a task'}`,
				sentence: `${task} is due tomorrow${at ? ` (${at})` : ''}. Submit your self-assessment before then.`
			};
		case 'peer_reviews_waiting':
			return {
				subject: `Peer reviews to do: ${params.taskTitle ?? 'a task'}`,
				sentence: `You have ${plural(count, 'peer review', 'peer reviews')} to do for ${task}.`
			};
		case 'peer_window_closing':
			return {
				subject: `Peer reviews close soon: ${params.taskTitle ?? 'a task'}`,
				sentence: `Peer reviews for ${task} close${at ? ` on ${at}` : ' soon'}. Finish yours before then.`
			};
		case 'ready_to_mark':
			return {
				subject: `Ready to mark: ${params.taskTitle ?? 'a task'}`,
				sentence: `${plural(count, 'learner has', 'learners have')} submitted ${task}${inClass} today: ready to mark.`
			};
		case 'grades_released':
			return {
				subject: `Your grades are ready: ${params.taskTitle ?? 'a task'}`,
				sentence: `Your teacher released your grades for ${task}.`
			};
		case 'badge_awarded':
			return {
				subject: `You were awarded a badge: ${params.badgeName ?? 'a badge'}`,
				sentence: `You were awarded the badge “${params.badgeName ?? 'a badge'}”.`
			};
		case 'review_flagged':
			return {
				subject: `A peer review was flagged: ${params.taskTitle ?? 'a task'}`,
				sentence: `A learner told you a peer review of their work for ${task} was unkind or unhelpful. Look at it and set it aside if it should not count.`
			};
		case 'save_conflict':
			return {
				subject: `A change was not saved: ${params.taskTitle ?? 'a task'}`,
				sentence: `A change you made to ${task} in another tab or device was not saved, because a newer copy had been saved. Open it to check your work.`
			};
		case 'teacher_reminder':
			return {
				subject: `A reminder from your teacher: ${params.taskTitle ?? 'a task'}`,
				sentence: `Your teacher reminds you to submit ${task}.${params.message ? ` “${params.message}”` : ''}`
			};
		case 'extension_granted':
			return {
				subject: `More time for ${params.taskTitle ?? 'a task'}`,
				sentence: `Your teacher gave you more time for ${task}${at ? `: it is now due ${at}` : ''}.`
			};
	}
}
