import {
	cityCriterionId,
	criterionId,
	DEMO_CLASS,
	demoUserId,
	evidenceId,
	liveSessionId,
	peerReviewId,
	taskId,
	type Persona
} from './fixtures';
import { CASE_PRIVATE } from './case-fixtures';
import { SSO_DEMO_PROVIDER_ID } from './sso-fixtures';
import { XMOD, xmodRoundId, xmodSampleId } from './city-moderation-fixtures';

/**
 * Who may use each route, for every scope the app knows: signed out, a student of the class,
 * a student of another class, a teacher of the class, a teacher of another class, the school's
 * admin, and the admin of another school. Every page, endpoint and form action found under
 * src/routes needs an entry here, or this test fails.
 */
export type Who = 'signedOut' | Persona;
export const EVERYONE: Who[] = [
	'signedOut',
	'student',
	'studentOther',
	'teacher',
	'teacherOther',
	'admin',
	'otherSchoolAdmin',
	'cityAdmin',
	'otherCityAdmin'
];
const SIGNED_IN: Who[] = EVERYONE.filter((w) => w !== 'signedOut');
const ADMINS: Who[] = ['admin', 'otherSchoolAdmin'];
const TEACHERS: Who[] = ['teacher', 'teacherOther', 'admin', 'otherSchoolAdmin'];
const STUDENTS: Who[] = ['student', 'studentOther'];
/**
 * City admins (of the demo school's city, and of another): they hold no school role, so every
 * school route refuses them; only /city (and their own /account and /notifications) is theirs.
 */
const CITY_ADMINS: Who[] = ['cityAdmin', 'otherCityAdmin'];
/** Northbridge City's criterion (seed-extras): another city's admin finds it absent (404). */
const CITY_CRITERION = cityCriterionId('City: presents to an audience');
/** Everyone signed in to the demo school. */
const OWN_SCHOOL: Who[] = ['student', 'studentOther', 'teacher', 'teacherOther', 'admin'];

/** A learner and a class no other test changes, so allowed actions here can run for real. */
const TARGET_LEARNER = demoUserId('student27');
const FIRST_CLASS = DEMO_CLASS.first.id;
/**
 * Made by tests/e2e/seed-extras.ts in class 1: one published task, and one the matrix may change.
 */
const PUBLISHED_TASK = taskId('Enterprise project');
const MATRIX_TASK = taskId('Matrix scratch task');
/** A draft task of "remind class" (seed-extras), taught by the demo teacher. */
const REMIND_MATRIX_TASK = taskId('Remind: matrix task');
const FIRST_CRITERION = criterionId('C1.1'); // the demo school's first starter criterion
/** A class-1 learner no other test marks, and student1's uploaded sketch (seed-extras). */
const MARKED_LEARNER = demoUserId('student15');
const STUDENT1_FILE = evidenceId('Enterprise project', 'student1', 'Sketch of the app');
/** "Peer review practice" allocates by hand: student1 reviews student2 (seed-extras). */
const PEER_TASK = taskId('Peer review practice');
const STUDENT1_REVIEW = peerReviewId('Peer review practice', 'student1', 'student2');
/** The live session in class 1 (seed-extras); the matrix may reveal or close it. */
const LIVE_SESSION = liveSessionId('Matrix exemplar');
const PROFILED_LEARNER = demoUserId('student1');
const SEEDED_AWARD = '00000000-0000-4000-8000-0000000b0001'; // issued to student2 (seed-extras)
const NO_SUCH_BADGE = '00000000-0000-4000-8000-000000000000';
const EXPORT_JOB = '00000000-0000-4000-8000-00000000e001'; // the teacher's finished export (seed-extras)
const ROSTER_HANDOUT = '00000000-0000-4000-8000-0000000a0013'; // the demo admin's sign-in slips (seed-extras)
/** The learner themself, their class's teacher and their school's admin. */
const LEARNER_AND_STAFF: Who[] = ['student', 'teacher', 'admin'];
const FUSION = '999d5e3b-0023-4b21-9564-5da5d91e8988';
const FUSION_FIRST_SKILL = 'ac6b095c-aec9-49ff-89eb-c64f7ce09702';

export interface Entry {
	url: string;
	allow: Who[];
	/** JSON body for endpoints that need one to get past input checks to the access check */
	body?: unknown;
	/** Actions that end the caller's session are tried only with a session of their own. */
	endsSession?: boolean;
	/**
	 * The fuzzer signs in as this username (with the demo password) instead of one of the personas:
	 * for routes none of them may use (a city admin's, a moderator's).
	 */
	fuzzAs?: string;
	/**
	 * Refused as absent (404) to everyone not allowed, signed out included: a private CASE
	 * framework does not exist for anyone outside its school.
	 */
	absentToOthers?: boolean;
}

export const MATRIX: Record<string, Entry> = {
	'page GET /': { url: '/', allow: EVERYONE },
	'page GET /login': { url: '/login', allow: EVERYONE },
	'action default /login': { url: '/login', allow: EVERYONE },
	// A provider button, and the provider's way back: open to all (a refusal is a 303 to /login).
	'endpoint GET /login/sso': { url: '/login/sso', allow: EVERYONE },
	'endpoint GET /login/sso/callback': { url: '/login/sso/callback', allow: EVERYONE },
	'page GET /logout': { url: '/logout', allow: EVERYONE },
	'action default /logout': { url: '/logout', allow: EVERYONE, endsSession: true },
	'endpoint GET /healthz': { url: '/healthz', allow: EVERYONE },
	'endpoint GET /livez': { url: '/livez', allow: EVERYONE },
	// The benchmark's yardstick: a learner's PUT read and refused (409) before the database.
	'endpoint PUT /livez': {
		url: '/livez',
		allow: STUDENTS,
		body: { kind: 'criterion', criterionId: 1, value: 50 }
	},
	'page GET /account': { url: '/account', allow: SIGNED_IN },
	// The e2e server's school is set up, so /setup answers 404 to everyone (signed out: not a
	// refusal, the page is gone; signed in: refused). tests/e2e/setup.spec.ts opens it before set-up.
	'page GET /setup': { url: '/setup', allow: ['signedOut'] },
	'action default /setup': { url: '/setup', allow: ['signedOut'] },
	'action changePassword /account': { url: '/account', allow: SIGNED_IN },
	'action emailPreference /account': { url: '/account', allow: SIGNED_IN },

	// The notification centre: each person's own (notifications.spec.ts checks one person cannot
	// open or mark another's). Unsubscribe works signed out with its signed token; a made-up token
	// is "not found" to everyone (notifications.spec.ts uses a real one).
	'page GET /notifications': { url: '/notifications', allow: SIGNED_IN },
	...Object.fromEntries(
		['open', 'read', 'unread', 'readAll'].map((action) => [
			`action ${action} /notifications`,
			{ url: '/notifications', allow: SIGNED_IN }
		])
	),
	'page GET /unsubscribe/[token]': {
		url: '/unsubscribe/1.madeUpTokenThatNoServerSignedxxxxxxxxxxxxxxxxxx',
		allow: [],
		absentToOthers: true
	},
	'action default /unsubscribe/[token]': {
		url: '/unsubscribe/1.madeUpTokenThatNoServerSignedxxxxxxxxxxxxxxxxxx',
		allow: [],
		absentToOthers: true
	},

	'page GET /admin': { url: '/admin', allow: ADMINS },
	'action emailAge /admin': { url: '/admin', allow: ADMINS },
	'page GET /admin/people': { url: '/admin/people', allow: ADMINS },
	'action create /admin/people': { url: '/admin/people', allow: ADMINS },
	'action decide /admin/people': { url: '/admin/people', allow: ADMINS },
	// Each admin sees their own school's sign-in settings; another school's provider is a 404.
	'page GET /admin/sign-in': { url: '/admin/sign-in', allow: ADMINS },
	'action add /admin/sign-in': { url: '/admin/sign-in', allow: ADMINS },
	'action rules /admin/sign-in': { url: '/admin/sign-in', allow: ADMINS },
	'page GET /admin/sign-in/[providerId]': {
		url: `/admin/sign-in/${SSO_DEMO_PROVIDER_ID}`,
		allow: ['admin']
	},
	'action save /admin/sign-in/[providerId]': {
		url: `/admin/sign-in/${SSO_DEMO_PROVIDER_ID}`,
		allow: ['admin']
	},
	'action remove /admin/sign-in/[providerId]': {
		url: `/admin/sign-in/${SSO_DEMO_PROVIDER_ID}`,
		allow: ['admin']
	},
	'page GET /admin/people/[userId]': { url: `/admin/people/${TARGET_LEARNER}`, allow: ['admin'] },
	'action resetPassword /admin/people/[userId]': {
		url: `/admin/people/${TARGET_LEARNER}`,
		allow: ['admin']
	},
	'action deactivate /admin/people/[userId]': {
		url: `/admin/people/${TARGET_LEARNER}`,
		allow: ['admin']
	},
	'action reactivate /admin/people/[userId]': {
		url: `/admin/people/${TARGET_LEARNER}`,
		allow: ['admin']
	},
	'action erase /admin/people/[userId]': {
		url: `/admin/people/${TARGET_LEARNER}`,
		allow: ['admin']
	},
	'endpoint GET /admin/people/[userId]/export.zip': {
		url: `/admin/people/${TARGET_LEARNER}/export.zip`,
		allow: ['admin']
	},
	'page GET /admin/classes': { url: '/admin/classes', allow: ADMINS },
	'action create /admin/classes': { url: '/admin/classes', allow: ADMINS },
	'page GET /admin/classes/[classId]': { url: `/admin/classes/${FIRST_CLASS}`, allow: ['admin'] },
	'action assignTeacher /admin/classes/[classId]': {
		url: `/admin/classes/${FIRST_CLASS}`,
		allow: ['admin']
	},
	'action removeTeacher /admin/classes/[classId]': {
		url: `/admin/classes/${FIRST_CLASS}`,
		allow: ['admin']
	},
	'action enrol /admin/classes/[classId]': {
		url: `/admin/classes/${FIRST_CLASS}`,
		allow: ['admin']
	},
	'action unenrol /admin/classes/[classId]': {
		url: `/admin/classes/${FIRST_CLASS}`,
		allow: ['admin']
	},
	'page GET /admin/roster': { url: '/admin/roster', allow: ADMINS },
	'action preview /admin/roster': { url: '/admin/roster', allow: ADMINS },
	'action import /admin/roster': { url: '/admin/roster', allow: ADMINS },
	'endpoint GET /admin/roster/template.csv': { url: '/admin/roster/template.csv', allow: ADMINS },
	// Any admin may list the problems of a file they upload (an empty post is a 400, not a refusal)
	// and forget their own slips; only the admin who ran the import gets its slips and passwords.
	'endpoint POST /admin/roster/problems.csv': { url: '/admin/roster/problems.csv', allow: ADMINS },
	'action forget /admin/roster': { url: '/admin/roster', allow: ADMINS },
	'endpoint GET /admin/roster/handouts/[handoutId]/slips.pdf': {
		url: `/admin/roster/handouts/${ROSTER_HANDOUT}/slips.pdf`,
		allow: ['admin']
	},
	'endpoint GET /admin/roster/handouts/[handoutId]/passwords.csv': {
		url: `/admin/roster/handouts/${ROSTER_HANDOUT}/passwords.csv`,
		allow: ['admin']
	},
	// Sign-in cards: every admin reaches the page and the print action (an empty form is refused as
	// incomplete, so no cards are made); whose cards they may print is in sign-in-cards.test.ts. The
	// card's own pages are for anyone holding a card (an unknown card is refused with one message).
	'page GET /admin/sign-in-cards': { url: '/admin/sign-in-cards', allow: ADMINS },
	'action print /admin/sign-in-cards': { url: '/admin/sign-in-cards', allow: ADMINS },
	// A teacher prints cards only for a class they teach (an empty form makes none).
	'page GET /teacher/classes/[classId]/sign-in-cards': {
		url: `/teacher/classes/${FIRST_CLASS}/sign-in-cards`,
		allow: ['teacher', 'admin']
	},
	'action print /teacher/classes/[classId]/sign-in-cards': {
		url: `/teacher/classes/${FIRST_CLASS}/sign-in-cards`,
		allow: ['teacher', 'admin']
	},
	'page GET /login/card': { url: '/login/card', allow: EVERYONE },
	'action default /login/card': { url: '/login/card', allow: EVERYONE },
	'page GET /login/card/[token]': { url: '/login/card/no-such-card', allow: EVERYONE },
	'action default /login/card/[token]': { url: '/login/card/no-such-card', allow: EVERYONE },

	'page GET /teacher': { url: '/teacher', allow: TEACHERS },
	'page GET /teacher/classes/[classId]': {
		url: `/teacher/classes/${FIRST_CLASS}`,
		allow: ['teacher', 'admin']
	},

	'page GET /student': { url: '/student', allow: STUDENTS },
	'page GET /student/tasks/[taskId]': {
		url: `/student/tasks/${PUBLISHED_TASK}`,
		allow: ['student']
	},

	'page GET /teacher/classes/[classId]/tasks/new': {
		url: `/teacher/classes/${FIRST_CLASS}/tasks/new`,
		allow: ['teacher', 'admin']
	},
	'action default /teacher/classes/[classId]/tasks/new': {
		url: `/teacher/classes/${FIRST_CLASS}/tasks/new`,
		allow: ['teacher', 'admin']
	},
	'page GET /teacher/tasks/[taskId]': {
		url: `/teacher/tasks/${PUBLISHED_TASK}`,
		allow: ['teacher', 'admin']
	},
	...Object.fromEntries(
		['settings', 'add', 'remove', 'move', 'weight', 'publish', 'unpublish', 'archive'].map(
			(action) => [
				`action ${action} /teacher/tasks/[taskId]`,
				{ url: `/teacher/tasks/${MATRIX_TASK}`, allow: ['teacher', 'admin'] as Who[] }
			]
		)
	),
	// Reminders and extensions (issue 15), on a draft task of "remind class" (seed-extras): the
	// allowed reach the service (reminding a draft is refused as unpublished, 409; empty forms 400).
	'action remind /teacher/tasks/[taskId]': {
		url: `/teacher/tasks/${REMIND_MATRIX_TASK}`,
		allow: ['teacher', 'admin']
	},
	'page GET /teacher/tasks/[taskId]/deadlines': {
		url: `/teacher/tasks/${REMIND_MATRIX_TASK}/deadlines`,
		allow: ['teacher', 'admin']
	},
	...Object.fromEntries(
		['grant', 'remove', 'reminders'].map((action) => [
			`action ${action} /teacher/tasks/[taskId]/deadlines`,
			{
				url: `/teacher/tasks/${REMIND_MATRIX_TASK}/deadlines`,
				allow: ['teacher', 'admin'] as Who[]
			}
		])
	),
	'page GET /teacher/criteria': { url: '/teacher/criteria', allow: TEACHERS },
	'page GET /teacher/criteria/new': { url: '/teacher/criteria/new', allow: TEACHERS },
	'action default /teacher/criteria/new': { url: '/teacher/criteria/new', allow: TEACHERS },
	'page GET /teacher/criteria/[criterionId]': {
		url: `/teacher/criteria/${FIRST_CRITERION}`,
		allow: ['teacher', 'teacherOther', 'admin']
	},
	'action edit /teacher/criteria/[criterionId]': {
		url: `/teacher/criteria/${FIRST_CRITERION}`,
		allow: ['teacher', 'teacherOther', 'admin']
	},
	'action copy /teacher/criteria/[criterionId]': {
		url: `/teacher/criteria/${FIRST_CRITERION}`,
		allow: ['teacher', 'teacherOther', 'admin']
	},

	'page GET /admin/frameworks': { url: '/admin/frameworks', allow: ADMINS },
	'action import /admin/frameworks': { url: '/admin/frameworks', allow: ADMINS },
	'endpoint GET /admin/frameworks/[identifier]/case.json': {
		url: `/admin/frameworks/${FUSION}/case.json`,
		allow: ADMINS
	},
	'page GET /admin/frameworks/crosswalk': { url: '/admin/frameworks/crosswalk', allow: ADMINS },
	'action save /admin/frameworks/crosswalk': { url: '/admin/frameworks/crosswalk', allow: ADMINS },
	'action reset /admin/frameworks/crosswalk': { url: '/admin/frameworks/crosswalk', allow: ADMINS },
	'page GET /admin/scales': { url: '/admin/scales', allow: ADMINS },
	'action create /admin/scales': { url: '/admin/scales', allow: ADMINS },
	'endpoint GET /frameworks/[identifier]': { url: `/frameworks/${FUSION}`, allow: EVERYONE },
	'endpoint GET /frameworks/items/[identifier]': {
		url: `/frameworks/items/${FUSION_FIRST_SKILL}`,
		allow: EVERYONE
	},
	'action publish /admin/frameworks': { url: '/admin/frameworks', allow: ADMINS },
	// CASE 1.1 REST: a private framework of the demo school, for its members only.
	'endpoint GET /ims/case/v1p1/CFDocuments': { url: '/ims/case/v1p1/CFDocuments', allow: EVERYONE },
	'endpoint GET /ims/case/v1p1/CFDocuments/[sourcedId]': {
		url: `/ims/case/v1p1/CFDocuments/${CASE_PRIVATE.document}`,
		allow: OWN_SCHOOL,
		absentToOthers: true
	},
	'endpoint GET /ims/case/v1p1/CFPackages/[sourcedId]': {
		url: `/ims/case/v1p1/CFPackages/${CASE_PRIVATE.document}`,
		allow: OWN_SCHOOL,
		absentToOthers: true
	},
	'endpoint GET /ims/case/v1p1/CFItems/[sourcedId]': {
		url: `/ims/case/v1p1/CFItems/${CASE_PRIVATE.item}`,
		allow: OWN_SCHOOL,
		absentToOthers: true
	},
	'endpoint GET /ims/case/v1p1/CFAssociations/[sourcedId]': {
		url: `/ims/case/v1p1/CFAssociations/${CASE_PRIVATE.association}`,
		allow: OWN_SCHOOL,
		absentToOthers: true
	},
	'endpoint GET /frameworks/[identifier]/associations/[associationId]': {
		url: `/frameworks/${CASE_PRIVATE.document}/associations/${CASE_PRIVATE.association}`,
		allow: OWN_SCHOOL,
		absentToOthers: true
	},

	// Assessment: the learner's own screen, their autosave and evidence; the teacher's marking.
	'action submit /student/tasks/[taskId]': {
		url: `/student/tasks/${PUBLISHED_TASK}`,
		allow: ['student']
	},
	// Taking back a submission: only the learner (student1 has not submitted here, so is told so).
	'action withdraw /student/tasks/[taskId]': {
		url: `/student/tasks/${PUBLISHED_TASK}`,
		allow: ['student']
	},
	// "Tell my teacher" about a review of one's own work (an empty form is refused as incomplete).
	'action flagReview /student/tasks/[taskId]': {
		url: `/student/tasks/${PUBLISHED_TASK}`,
		allow: ['student']
	},
	'action addEvidence /student/tasks/[taskId]': {
		url: `/student/tasks/${PUBLISHED_TASK}`,
		allow: ['student']
	},
	'action removeEvidence /student/tasks/[taskId]': {
		url: `/student/tasks/${PUBLISHED_TASK}`,
		allow: ['student']
	},
	'endpoint PUT /student/tasks/[taskId]/save': {
		url: `/student/tasks/${PUBLISHED_TASK}/save`,
		allow: ['student'],
		body: { kind: 'reflection', text: 'Written by the authorisation matrix.' }
	},
	'endpoint GET /evidence/[evidenceId]': {
		url: `/evidence/${STUDENT1_FILE}`,
		allow: ['student', 'teacher', 'admin']
	},
	'page GET /teacher/tasks/[taskId]/marking': {
		url: `/teacher/tasks/${PUBLISHED_TASK}/marking`,
		allow: ['teacher', 'admin']
	},
	'action releaseAll /teacher/tasks/[taskId]/marking': {
		url: `/teacher/tasks/${MATRIX_TASK}/marking`,
		allow: ['teacher', 'admin']
	},
	'page GET /teacher/tasks/[taskId]/marking/[learnerId]': {
		url: `/teacher/tasks/${PUBLISHED_TASK}/marking/${MARKED_LEARNER}`,
		allow: ['teacher', 'admin']
	},
	...Object.fromEntries(
		['release', 'unrelease', 'reopen', 'bankAdd', 'bankRemove'].map((action) => [
			`action ${action} /teacher/tasks/[taskId]/marking/[learnerId]`,
			{
				url: `/teacher/tasks/${PUBLISHED_TASK}/marking/${MARKED_LEARNER}`,
				allow: ['teacher', 'admin'] as Who[]
			}
		])
	),
	'action rateTeam /student/tasks/[taskId]': {
		url: `/student/tasks/${PUBLISHED_TASK}`,
		allow: ['student']
	},

	// Peer review: the reviewer's own allocations only; the teacher's peer page; groups.
	'page GET /student/reviews': { url: '/student/reviews', allow: STUDENTS },
	'page GET /student/reviews/[allocationId]': {
		url: `/student/reviews/${STUDENT1_REVIEW}`,
		allow: ['student']
	},
	'action submit /student/reviews/[allocationId]': {
		url: `/student/reviews/${STUDENT1_REVIEW}`,
		allow: ['student']
	},
	'endpoint PUT /student/reviews/[allocationId]/save': {
		url: `/student/reviews/${STUDENT1_REVIEW}/save`,
		allow: ['student'],
		body: { kind: 'criterion', criterionId: 999999, comment: 'matrix' }
	},
	'page GET /teacher/tasks/[taskId]/peers': {
		url: `/teacher/tasks/${PEER_TASK}/peers`,
		allow: ['teacher', 'admin']
	},
	...Object.fromEntries(
		['allocate', 'addPair', 'removePair', 'exclude', 'include'].map((action) => [
			`action ${action} /teacher/tasks/[taskId]/peers`,
			{ url: `/teacher/tasks/${PEER_TASK}/peers`, allow: ['teacher', 'admin'] as Who[] }
		])
	),
	'page GET /teacher/tasks/[taskId]/groups': {
		url: `/teacher/tasks/${MATRIX_TASK}/groups`,
		allow: ['teacher', 'admin']
	},
	'action create /teacher/tasks/[taskId]/groups': {
		url: `/teacher/tasks/${MATRIX_TASK}/groups`,
		allow: ['teacher', 'admin']
	},
	'action delete /teacher/tasks/[taskId]/groups': {
		url: `/teacher/tasks/${MATRIX_TASK}/groups`,
		allow: ['teacher', 'admin']
	},

	// Moderation.
	'page GET /teacher/tasks/[taskId]/moderation': {
		url: `/teacher/tasks/${PUBLISHED_TASK}/moderation`,
		allow: ['teacher', 'admin']
	},
	'action addMarker /teacher/tasks/[taskId]/moderation': {
		url: `/teacher/tasks/${PUBLISHED_TASK}/moderation`,
		allow: ['teacher', 'admin']
	},
	'page GET /teacher/tasks/[taskId]/moderation/[learnerId]': {
		url: `/teacher/tasks/${PUBLISHED_TASK}/moderation/${MARKED_LEARNER}`,
		allow: ['teacher', 'admin']
	},
	'action agree /teacher/tasks/[taskId]/moderation/[learnerId]': {
		url: `/teacher/tasks/${PUBLISHED_TASK}/moderation/${MARKED_LEARNER}`,
		allow: ['teacher', 'admin']
	},

	// Live sessions: events endpoints are asked for one picture (?once) so the check does not wait on
	// a stream.
	'page GET /teacher/live/new': { url: '/teacher/live/new', allow: TEACHERS },
	'action default /teacher/live/new': { url: '/teacher/live/new', allow: TEACHERS },
	'page GET /teacher/live/[sessionId]': {
		url: `/teacher/live/${LIVE_SESSION}`,
		allow: ['teacher', 'admin']
	},
	...Object.fromEntries(
		['reveal', 'close'].map((action) => [
			`action ${action} /teacher/live/[sessionId]`,
			{ url: `/teacher/live/${LIVE_SESSION}`, allow: ['teacher', 'admin'] as Who[] }
		])
	),
	'endpoint PUT /teacher/live/[sessionId]/place': {
		url: `/teacher/live/${LIVE_SESSION}/place`,
		allow: ['teacher', 'admin'],
		body: { value: 50 }
	},
	'endpoint GET /teacher/live/[sessionId]/events': {
		url: `/teacher/live/${LIVE_SESSION}/events?once`,
		allow: ['teacher', 'admin']
	},
	'page GET /student/live': { url: '/student/live', allow: STUDENTS },
	// Joining by the projector's code: students only (a wrong code is the same answer for all).
	'page GET /join': { url: '/join', allow: STUDENTS },
	'action default /join': { url: '/join', allow: STUDENTS },
	'page GET /student/live/[sessionId]': {
		url: `/student/live/${LIVE_SESSION}`,
		allow: ['student']
	},
	'endpoint PUT /student/live/[sessionId]/place': {
		url: `/student/live/${LIVE_SESSION}/place`,
		allow: ['student'],
		body: { value: 50 }
	},
	'endpoint GET /student/live/[sessionId]/events': {
		url: `/student/live/${LIVE_SESSION}/events?once`,
		allow: ['student']
	},

	// Profiles and reports.
	'page GET /profile/[learnerId]': {
		url: `/profile/${PROFILED_LEARNER}`,
		allow: LEARNER_AND_STAFF
	},
	'page GET /profile/[learnerId]/report': {
		url: `/profile/${PROFILED_LEARNER}/report`,
		allow: LEARNER_AND_STAFF
	},
	'endpoint GET /profile/[learnerId]/report.pdf': {
		url: `/profile/${PROFILED_LEARNER}/report.pdf`,
		allow: LEARNER_AND_STAFF
	},
	'endpoint GET /profile/[learnerId]/clr.json': {
		url: `/profile/${PROFILED_LEARNER}/clr.json`,
		allow: LEARNER_AND_STAFF
	},
	'page GET /admin/reports': { url: '/admin/reports', allow: ADMINS },
	'action batch /admin/reports': { url: '/admin/reports', allow: ADMINS },
	'endpoint GET /admin/reports/fusion-skills.csv': {
		url: '/admin/reports/fusion-skills.csv?kind=summary',
		allow: ADMINS
	},
	'endpoint GET /admin/reports/fusion-skills.json': {
		url: '/admin/reports/fusion-skills.json',
		allow: ADMINS
	},
	'page GET /teacher/classes/[classId]/overview': {
		url: `/teacher/classes/${FIRST_CLASS}/overview`,
		allow: ['teacher', 'admin']
	},
	'action batch /teacher/classes/[classId]/overview': {
		url: `/teacher/classes/${FIRST_CLASS}/overview`,
		allow: ['teacher', 'admin']
	},
	'page GET /exports/[jobId]': { url: `/exports/${EXPORT_JOB}`, allow: ['teacher', 'admin'] },
	'endpoint GET /exports/[jobId]/status': {
		url: `/exports/${EXPORT_JOB}/status`,
		allow: ['teacher', 'admin']
	},
	'endpoint GET /exports/[jobId]/download': {
		url: `/exports/${EXPORT_JOB}/download`,
		allow: ['teacher', 'admin']
	},

	// Badges: defined by admins, issued by teachers, requested by learners, verified by anyone.
	// The city tier: a city admin's pages (tests/e2e/city.spec.ts); the school side of the city bank
	// for teachers and admins (a school outside a city is told so); city badges for school admins.
	// An empty form is a 400 (allowed, not refused); cross-city ids are covered in city.spec.ts.
	'page GET /city': { url: '/city', allow: CITY_ADMINS },
	'action createSchool /city': { url: '/city', allow: CITY_ADMINS },
	'page GET /city/reports': { url: '/city/reports', allow: CITY_ADMINS },
	'endpoint GET /city/reports/fusion-skills.csv': {
		url: '/city/reports/fusion-skills.csv',
		allow: CITY_ADMINS
	},
	'page GET /city/criteria': { url: '/city/criteria', allow: CITY_ADMINS },
	'page GET /city/criteria/new': { url: '/city/criteria/new', allow: CITY_ADMINS },
	'action default /city/criteria/new': { url: '/city/criteria/new', allow: CITY_ADMINS },
	'page GET /city/criteria/[criterionId]': {
		url: `/city/criteria/${CITY_CRITERION}`,
		allow: ['cityAdmin']
	},
	'action edit /city/criteria/[criterionId]': {
		url: `/city/criteria/${CITY_CRITERION}`,
		allow: ['cityAdmin']
	},
	'page GET /city/templates': { url: '/city/templates', allow: CITY_ADMINS },
	'action create /city/templates': { url: '/city/templates', allow: CITY_ADMINS },
	'action edit /city/templates': { url: '/city/templates', allow: CITY_ADMINS },
	'page GET /city/badges': { url: '/city/badges', allow: CITY_ADMINS },
	'action create /city/badges': { url: '/city/badges', allow: CITY_ADMINS },
	'action edit /city/badges': { url: '/city/badges', allow: CITY_ADMINS },
	'page GET /teacher/city': { url: '/teacher/city', allow: TEACHERS },
	'action adopt /teacher/city': { url: '/teacher/city', allow: TEACHERS },
	'action takeNewer /teacher/city': { url: '/teacher/city', allow: TEACHERS },
	'action useTemplate /teacher/city': { url: '/teacher/city', allow: TEACHERS },
	'page GET /admin/city-badges': { url: '/admin/city-badges', allow: ADMINS },
	'action adopt /admin/city-badges': { url: '/admin/city-badges', allow: ADMINS },

	'page GET /admin/badges': { url: '/admin/badges', allow: ADMINS },
	'action create /admin/badges': { url: '/admin/badges', allow: ADMINS },
	'action contactEmail /admin/badges': { url: '/admin/badges', allow: ADMINS },
	'page GET /teacher/badges': { url: '/teacher/badges', allow: TEACHERS },
	'action issue /teacher/badges': { url: '/teacher/badges', allow: TEACHERS },
	'action decline /teacher/badges': { url: '/teacher/badges', allow: TEACHERS },
	'action revoke /teacher/badges': { url: '/teacher/badges', allow: TEACHERS },
	'action issueAll /teacher/badges': { url: '/teacher/badges', allow: TEACHERS },
	'page GET /student/badges': { url: '/student/badges', allow: STUDENTS },
	'action request /student/badges': { url: '/student/badges', allow: STUDENTS },
	'action shareName /student/badges': { url: '/student/badges', allow: STUDENTS },
	'action shareEvidence /student/badges': { url: '/student/badges', allow: STUDENTS },
	'action badgeEmail /student/badges': { url: '/student/badges', allow: STUDENTS },
	'page GET /badges/awards/[identifier]': {
		url: `/badges/awards/${SEEDED_AWARD}`,
		allow: EVERYONE
	},
	'endpoint GET /badges/awards/[identifier]/credential.json': {
		url: `/badges/awards/${SEEDED_AWARD}/credential.json`,
		allow: EVERYONE
	},
	'endpoint GET /badges/awards/[identifier]/ob2': {
		url: `/badges/awards/${SEEDED_AWARD}/ob2`,
		allow: EVERYONE
	},
	'endpoint GET /badges/awards/[identifier]/baked.svg': {
		url: `/badges/awards/${SEEDED_AWARD}/baked.svg`,
		allow: EVERYONE
	},
	'endpoint GET /badges/awards/[identifier]/baked.png': {
		url: `/badges/awards/${SEEDED_AWARD}/baked.png`,
		allow: EVERYONE
	},
	'endpoint GET /badges/classes/[identifier]': {
		url: `/badges/classes/${NO_SUCH_BADGE}`,
		allow: EVERYONE
	},
	'endpoint GET /badges/classes/[identifier]/image': {
		url: `/badges/classes/${NO_SUCH_BADGE}/image`,
		allow: EVERYONE
	},
	'endpoint GET /badges/classes/[identifier]/ob2': {
		url: `/badges/classes/${NO_SUCH_BADGE}/ob2`,
		allow: EVERYONE
	},
	'endpoint GET /badges/issuers/[slug]': { url: '/badges/issuers/northbridge', allow: EVERYONE },
	'endpoint GET /badges/issuers/[slug]/ob2': {
		url: '/badges/issuers/northbridge/ob2',
		allow: EVERYONE
	},
	// The school's did:web DID document and its first revocation list (the seed issues badges).
	'endpoint GET /schools/[slug]/did.json': {
		url: '/schools/northbridge/did.json',
		allow: EVERYONE
	},
	'endpoint GET /schools/[slug]/status/[number]': {
		url: '/schools/northbridge/status/1',
		allow: EVERYONE
	},

	// Cross-school moderation (xmod, docs/CITY-MODERATION.md): the xmod round is of the xmod city,
	// so neither matrix city admin may open it; a sample is its moderator's only. The xmod city's
	// admins, moderators and teachers of the sampled school are checked in
	// tests/e2e/city-moderation.spec.ts.
	// Any city admin opens their own city's rounds page and may draw; another city's round is 404.
	'page GET /city/moderation': { url: '/city/moderation', allow: CITY_ADMINS },
	'action draw /city/moderation': {
		url: '/city/moderation',
		allow: CITY_ADMINS,
		fuzzAs: XMOD.cityAdmin
	},
	'page GET /city/moderation/[roundId]': { url: `/city/moderation/${xmodRoundId()}`, allow: [] },
	'action close /city/moderation/[roundId]': {
		url: `/city/moderation/${xmodRoundId()}`,
		allow: []
	},
	'page GET /teacher/city-moderation': { url: '/teacher/city-moderation', allow: TEACHERS },
	'page GET /teacher/city-moderation/[sampleId]': {
		url: `/teacher/city-moderation/${xmodSampleId(XMOD.moderator)}`,
		allow: []
	},
	'action save /teacher/city-moderation/[sampleId]': {
		url: `/teacher/city-moderation/${xmodSampleId(XMOD.moderator)}`,
		allow: [],
		fuzzAs: XMOD.moderator
	},
	'endpoint GET /teacher/city-moderation/[sampleId]/evidence/[position]': {
		url: `/teacher/city-moderation/${xmodSampleId(XMOD.moderator)}/evidence/1`,
		allow: []
	},
	'page GET /admin/city-moderation': { url: '/admin/city-moderation', allow: ADMINS },

	'endpoint PUT /teacher/tasks/[taskId]/marking/[learnerId]/save': {
		url: `/teacher/tasks/${PUBLISHED_TASK}/marking/${MARKED_LEARNER}/save`,
		allow: ['teacher', 'admin'],
		body: { kind: 'overall', text: 'Written by the authorisation matrix.' }
	}
};
