/**
 * The fixtures of tests/e2e/undo.spec.ts (issue 13 item 9: asking once, and undoing), made by
 * tests/e2e/seed-extras.ts in a school of their own, "Undo School", so that issuing, holding back
 * and taking back there never changes what another spec sees (badge proposals are school-wide).
 */
export const UNDO_SCHOOL = { name: 'Undo School', slug: 'undo' };
export const UNDO_TASK = 'Undo: poster';
export const UNDO_BADGE = 'Undo: speaker';
/** Usernames and names, fixed so the spec can find each row by its learner. */
export const UNDO_PEOPLE = {
	undoadmin: ['Ada', 'Moss'],
	undoteacher: ['Una', 'Rowe'],
	/** placed every slider, has not submitted: submits, takes back, submits again */
	undo1: ['Amira', 'Khan'],
	/** submitted, marked and released: the teacher holds the grades back again */
	undo2: ['Ben', 'Okafor'],
	/** undo3–undo5: released and meeting the badge's rule, proposed in family-name order */
	undo3: ['Cara', 'Lewis'],
	undo4: ['Dan', 'Price'],
	undo5: ['Esme', 'Shah'],
	/** submitted and fully marked, not released: the release confirmation's screenshot */
	undo6: ['Finn', 'Walsh'],
	/** placed every slider, has not submitted: submits and takes back without JavaScript */
	undo7: ['Gita', 'Young']
} as const;
export type UndoUsername = keyof typeof UNDO_PEOPLE;
export const undoName = (username: UndoUsername) => UNDO_PEOPLE[username].join(' ');
