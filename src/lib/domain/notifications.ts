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
