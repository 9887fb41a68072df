// Test-only data beside the demo school: a second school, so tests can prove schools are sealed
// off.
import { openDatabase } from '../../src/lib/server/db/connection';
import { migrateToLatest } from '../../src/lib/server/db/migrate';
import {
	DEMO_PASSWORD,
	insertSchool,
	planSchool,
	schoolOfSize,
	seedDemoSchool
} from '../../src/lib/server/db/seed';
import { listBank } from '../../src/lib/server/criteria/criteria';
import { listScales } from '../../src/lib/server/scales/scales';
import { createTask, setTaskState } from '../../src/lib/server/tasks/tasks';
import { addTaskCriterion, taskCriteria } from '../../src/lib/server/tasks/task-criteria';
import {
	saveSelfAssessment,
	submitSelfAssessment
} from '../../src/lib/server/assessment/self-assessment';
import { releaseGrades, saveTeacherGrade } from '../../src/lib/server/assessment/marking';
import { addEvidence, uploadsDirectory } from '../../src/lib/server/assessment/evidence';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { addPeerPair } from '../../src/lib/server/peer/allocation';
import { placeLive, setLiveState, startLiveSession } from '../../src/lib/server/live/live';
import { hashPassword } from '../../src/lib/server/auth/passwords';
import { createBadge } from '../../src/lib/server/badges/badges';
import { issueBadge } from '../../src/lib/server/badges/awards';
import { notify } from '../../src/lib/server/notifications/notify';
import { unsubscribeToken } from '../../src/lib/server/notifications/unsubscribe';
import { capriTree, importCasePackage } from '../../src/lib/server/frameworks/frameworks';
import { CASE_PRIVATE, CASE_TO_PUBLISH, caseFixturePackage } from './case-fixtures';
import {
	assignTeacher,
	createClass,
	enrolLearners,
	listTeacherClasses
} from '../../src/lib/server/classes/classes';
import { createPerson } from '../../src/lib/server/people/accounts';
import sharp from 'sharp';
import PDFDocument from 'pdfkit';
import { sessionUser } from '../unit/helpers';
import { taskSettingsSchema } from '../../src/lib/schemas/tasks';
import { UNDO_BADGE, UNDO_PEOPLE, UNDO_SCHOOL, UNDO_TASK } from './undo-fixtures';
import { HANDOUT_LIFETIME_MS, handoutKey, sealHandout } from '../../src/lib/server/roster/handouts';
import { sealClientSecret } from '../../src/lib/server/sso/providers';
import { SSO_DEMO_PROVIDER_ID } from './sso-fixtures';

export const OTHER_SCHOOL_PREFIX = 'rs-';
export const EXPORT_JOB_ID = '00000000-0000-4000-8000-00000000e001';
export const SEEDED_AWARD = '00000000-0000-4000-8000-0000000b0001';
export const ROSTER_HANDOUT_ID = '00000000-0000-4000-8000-0000000a0013';

const db = openDatabase(process.env.DATABASE_PATH!);
await migrateToLatest(db);
await seedDemoSchool(db);
const other = planSchool({
	...schoolOfSize(12, 1, 7),
	schoolName: 'Riverside School',
	slug: 'riverside'
});
const rename = (u: string) => OTHER_SCHOOL_PREFIX + u;
other.people = other.people.map((p) => ({ ...p, username: rename(p.username) }));
other.classes = other.classes.map((c) => ({
	...c,
	name: `Riverside ${c.name}`,
	teachers: c.teachers.map(rename),
	learners: c.learners.map(rename)
}));
await insertSchool(db, other, DEMO_PASSWORD);

// Tests find these fixtures by title (tests/e2e/fixtures.ts), never by id. Two tasks in the
// teacher's class: one published with three criteria, one a draft the authorisation matrix may
// change.
const teacher = await db
	.selectFrom('users')
	.innerJoin('memberships', 'memberships.user_id', 'users.id')
	.select(['users.id', 'memberships.school_id'])
	.where('username', '=', 'teacher')
	.executeTakeFirstOrThrow();
const asTeacher = await sessionUser(db, 'teacher');
const [teacherClass] = await listTeacherClasses(db, teacher.id);
const classId = teacherClass!.id;
const scale = (await listScales(db, teacher.school_id)).find((s) =>
	s.name.startsWith('School scale')
)!;
const settingsInput = (title: string) => ({
	title,
	brief: 'Plan, make and present a product for a real client.',
	scaleId: scale.id,
	selfMarkerVisibility: 'always',
	selfRequiredBeforeRelease: 'on'
});
const settings = (title: string) => taskSettingsSchema.parse(settingsInput(title));
const published = await createTask(db, asTeacher, classId, settings('Enterprise project'));
const bank = await listBank(db, teacher.school_id);
for (const code of ['C1.1', 'P1.1', 'I1.1'])
	await addTaskCriterion(db, asTeacher, published, bank.find((c) => c.code === code)!.id);
await setTaskState(db, asTeacher, published, 'published');
await createTask(db, asTeacher, classId, settings('Matrix scratch task'));

// A clean task for the assessment journey test (tests/e2e/assessment.spec.ts).
const journey = await createTask(db, asTeacher, classId, settings('Assessment journey'));
for (const code of ['C1.1', 'R3.2'])
	await addTaskCriterion(db, asTeacher, journey, bank.find((c) => c.code === code)!.id);
await setTaskState(db, asTeacher, journey, 'published');

// A clean task for two tabs saving the same work (tests/e2e/conflicts.spec.ts, student12).
const twoTabs = await createTask(db, asTeacher, classId, settings('Two tabs'));
for (const code of ['C1.1', 'R3.2'])
	await addTaskCriterion(db, asTeacher, twoTabs, bank.find((c) => c.code === code)!.id);
await setTaskState(db, asTeacher, twoTabs, 'published');

// Work on the Enterprise project, so marking and released views have something to show (and
// screenshots are real): student2 self-assessed, was marked and released; student3 self-assessed
// and waits; student1 has a file.
const criteria = await taskCriteria(db, published);
const student2 = await sessionUser(db, 'student2');
const placements: [number, string][] = [
	[72, 'I spoke clearly and used my slides, but I read some parts.'],
	[55, 'I planned the first week well, then rushed.'],
	[85, 'We had lots of ideas and picked the best one with the client.']
];
for (const [i, c] of criteria.entries()) {
	await saveSelfAssessment(db, student2, published, {
		kind: 'criterion',
		criterionId: c.criterionId,
		value: placements[i]![0],
		comment: placements[i]![1]
	});
}
await saveSelfAssessment(db, student2, published, {
	kind: 'reflection',
	text: 'I am proud of our prototype. Next time I will plan the last week better.'
});
await addEvidence(db, student2, published, {
	kind: 'link',
	title: 'Our pitch slides',
	url: 'https://example.org/pitch-slides'
});
await addEvidence(db, student2, published, {
	kind: 'text',
	title: 'Client feedback',
	body: 'The client said the app idea was useful and easy to understand.'
});
await submitSelfAssessment(db, student2, published);
const grades: [number, string][] = [
	[50, 'Good structure; practise so you can look up from your notes.'],
	[58, 'Your plan was realistic; keep it updated when things slip.'],
	[70, 'A strong range of ideas, well tested with the client.']
];
for (const [i, c] of criteria.entries()) {
	await saveTeacherGrade(db, asTeacher, published, student2.id, {
		kind: 'criterion',
		criterionId: c.criterionId,
		value: grades[i]![0],
		comment: grades[i]![1]
	});
}
await saveTeacherGrade(db, asTeacher, published, student2.id, {
	kind: 'overall',
	text: 'A thoughtful project. Work on your delivery next.'
});
await releaseGrades(db, asTeacher, published, student2.id);

const student3 = await sessionUser(db, 'student3');
for (const [i, c] of criteria.entries())
	await saveSelfAssessment(db, student3, published, {
		kind: 'criterion',
		criterionId: c.criterionId,
		value: [40, 66, 61][i]!
	});
await submitSelfAssessment(db, student3, published);
// Marked far from student3's own view (two and three bands), so moderation has gaps to flag.
for (const [i, c] of criteria.entries())
	await saveTeacherGrade(db, asTeacher, published, student3.id, {
		kind: 'criterion',
		criterionId: c.criterionId,
		value: [85, 10, 61][i]!
	});

const student1 = await sessionUser(db, 'student1');
const png = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
	'base64'
);
await addEvidence(db, student1, published, {
	kind: 'file',
	title: 'Sketch of the app',
	file: new File([png], 'sketch.png', { type: 'image/png' })
});

// Peer review by hand, where student1 reviews student2's work (for the matrix).
const peerTask = await createTask(
	db,
	asTeacher,
	classId,
	taskSettingsSchema.parse({
		...settingsInput('Peer review practice'),
		peerEnabled: 'on',
		peerAllocation: 'manual'
	})
);
for (const code of ['C1.1', 'R3.2'])
	await addTaskCriterion(db, asTeacher, peerTask, bank.find((c) => c.code === code)!.id);
await setTaskState(db, asTeacher, peerTask, 'published');
// A photo named, as phones and laptops do, after the child: the reviewer must not see that name.
await addEvidence(db, student2, peerTask, {
	kind: 'file',
	title: '',
	file: new File([png], `${student2.givenName} ${student2.familyName} at home.png`, {
		type: 'image/png'
	})
});
// Only submitted work is reviewed: student2 hands in, then the teacher adds the pair.
for (const [i, c] of (await taskCriteria(db, peerTask)).entries())
	await saveSelfAssessment(db, student2, peerTask, {
		kind: 'criterion',
		criterionId: c.criterionId,
		value: [62, 48][i]!
	});
await submitSelfAssessment(db, student2, peerTask);
await addPeerPair(db, asTeacher, peerTask, student1.id, student2.id);

// Unplaced sliders for tests/e2e/slider.spec.ts, in class 2 so no other spec's learner sees it:
// student17 self-assesses and reviews student18's submitted work; teacher2 marks student18.
// tests/e2e/notices.spec.ts is refused a submit there as student19, who places nothing.
const asTeacher2 = await sessionUser(db, 'teacher2');
const [secondClass] = await listTeacherClasses(db, asTeacher2.id);
const sliderTask = await createTask(
	db,
	asTeacher2,
	secondClass!.id,
	taskSettingsSchema.parse({
		...settingsInput('Slider placement'),
		peerEnabled: 'on',
		peerAllocation: 'manual'
	})
);
for (const code of ['C1.1', 'R3.2', 'P1.1'])
	await addTaskCriterion(db, asTeacher2, sliderTask, bank.find((c) => c.code === code)!.id);
await setTaskState(db, asTeacher2, sliderTask, 'published');
const student18 = await sessionUser(db, 'student18');
for (const [i, c] of (await taskCriteria(db, sliderTask)).entries())
	await saveSelfAssessment(db, student18, sliderTask, {
		kind: 'criterion',
		criterionId: c.criterionId,
		value: [45, 70, 30][i]!
	});
await submitSelfAssessment(db, student18, sliderTask);
await addPeerPair(
	db,
	asTeacher2,
	sliderTask,
	(await sessionUser(db, 'student17')).id,
	student18.id
);

// Every kind of student page with something on it, for tests/e2e/screen-fit.spec.ts (read only),
// in class 2: student19 has two released tasks (so a calibration chart, and skills with and
// without evidence), a peer review to do of student22's work, a live session and a badge; student23
// is released on a task that reaches all 12 skills, so every column of the class overview has words.
const student19 = await sessionUser(db, 'student19');
const student22 = await sessionUser(db, 'student22');
const student23 = await sessionUser(db, 'student23');
async function releasedWork(
	taskId: number,
	learner: typeof student19,
	selfValues: number[],
	teacherValues: number[]
) {
	const list = await taskCriteria(db, taskId);
	for (const [i, c] of list.entries())
		await saveSelfAssessment(db, learner, taskId, {
			kind: 'criterion',
			criterionId: c.criterionId,
			value: selfValues[i]!,
			comment: i === 0 ? 'I explained our design to the class and answered two questions.' : ''
		});
	await submitSelfAssessment(db, learner, taskId);
	for (const [i, c] of list.entries())
		await saveTeacherGrade(db, asTeacher2, taskId, learner.id, {
			kind: 'criterion',
			criterionId: c.criterionId,
			value: teacherValues[i]!,
			comment: i === 0 ? 'Clear and well paced; look at the audience more.' : ''
		});
	await releaseGrades(db, asTeacher2, taskId, learner.id);
}
async function class2Task(title: string, codes: string[], peer = false) {
	const id = await createTask(
		db,
		asTeacher2,
		secondClass!.id,
		taskSettingsSchema.parse({
			...settingsInput(title),
			...(peer ? { peerEnabled: 'on', peerAllocation: 'manual' } : {})
		})
	);
	for (const code of codes)
		await addTaskCriterion(db, asTeacher2, id, bank.find((c) => c.code === code)!.id);
	await setTaskState(db, asTeacher2, id, 'published');
	return id;
}
const bridge = await class2Task('Bridge building', ['C1.1', 'P1.1', 'R3.2'], true);
await releasedWork(bridge, student19, [70, 45, 60], [55, 50, 30]);
await releasedWork(bridge, student22, [50, 50, 50], [65, 40, 72]);
await addPeerPair(db, asTeacher2, bridge, student19.id, student22.id);
const waterFilter = await class2Task('Water filter', ['C3.1', 'I1.1']);
await releasedWork(waterFilter, student19, [80, 65], [62, 75]);
// Nine criteria whose CAPRI sub-categories reach all 12 Fusion Skills through the crosswalk.
const scienceFair = await class2Task('Science fair', [
	'C4.1',
	'C2.1',
	'A1.1',
	'A2.1',
	'A3.1',
	'A4.1',
	'P3.1',
	'R1.1',
	'I1.1'
]);
await releasedWork(
	scienceFair,
	student23,
	[50, 50, 50, 50, 50, 50, 50, 50, 50],
	[50, 45, 55, 90, 50, 10, 50, 30, 70]
);
await startLiveSession(db, asTeacher2, {
	classId: secondClass!.id,
	taskId: bridge,
	criterionId: (await taskCriteria(db, bridge))[0]!.criterionId,
	exemplarTitle: 'Bridge exemplar',
	exemplarBody: 'A short talk about a model bridge, to place on the scale together.'
});

// Random peer allocation of 3 reviewers each, left for tests/e2e/peer-moderation-live.spec.ts to
// allocate.
const randomPeerTask = await createTask(
	db,
	asTeacher,
	classId,
	taskSettingsSchema.parse({
		...settingsInput('Peer allocation'),
		peerEnabled: 'on',
		peerAllocation: 'random',
		peerReviewersPerLearner: '3'
	})
);
for (const code of ['C1.1', 'P1.1'])
	await addTaskCriterion(db, asTeacher, randomPeerTask, bank.find((c) => c.code === code)!.id);
await setTaskState(db, asTeacher, randomPeerTask, 'published');
// Only submitted work is allocated: student4–student15 have handed in (their reflections hold a
// marker the reviewer must never see); student1–student3 have not, and student3 submits in the test.
const SELF_REFLECTION_SECRET = 'SECRET-SELF-REFLECTION-7731'; // peer-moderation-live.spec.ts looks for it
const randomPeerCriteria = await taskCriteria(db, randomPeerTask);
for (let n = 4; n <= 15; n++) {
	const learner = await sessionUser(db, `student${n}`);
	for (const [i, c] of randomPeerCriteria.entries())
		await saveSelfAssessment(db, learner, randomPeerTask, {
			kind: 'criterion',
			criterionId: c.criterionId,
			value: 30 + ((n * 7 + i * 13) % 60),
			comment: `My own view (${SELF_REFLECTION_SECRET}).`
		});
	await saveSelfAssessment(db, learner, randomPeerTask, {
		kind: 'reflection',
		text: `What I learned: ${SELF_REFLECTION_SECRET}`
	});
	await submitSelfAssessment(db, learner, randomPeerTask);
}

// A live session in the teacher's class, for the authorisation matrix (which may reveal or close
// it).
await startLiveSession(db, asTeacher, {
	classId,
	taskId: published,
	criterionId: criteria[0]!.criterionId,
	exemplarTitle: 'Matrix exemplar',
	exemplarBody: 'An exemplar.'
});

// Live calibration on a projector (branch `live`): a teacher and learners of their own, so the
// join-by-code journey (tests/e2e/live-projector.spec.ts) and the projector screenshots change no
// one else's data. "Live calibration" is the journey's class (liveteacher, live1–live4); live5 is
// in no class, to be refused. "Live screens" (live1–live4, live6–live8) holds sessions for the
// screenshots: one open with placements, one revealed with equal counts, one closed.
const liveHash = await hashPassword(DEMO_PASSWORD);
async function livePerson(username: string, givenName: string, role: 'teacher' | 'student') {
	const { id } = await db
		.insertInto('users')
		.values({
			username,
			given_name: givenName,
			family_name: 'Live',
			password_hash: liveHash,
			password_changed_at: new Date().toISOString(),
			created_at: new Date().toISOString()
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	await db
		.insertInto('memberships')
		.values({
			user_id: id,
			school_id: teacher.school_id,
			role,
			year_group: role === 'student' ? '8' : null,
			created_at: new Date().toISOString()
		})
		.execute();
	return id;
}
const liveAdmin = await sessionUser(db, 'admin');
const liveTeacherId = await livePerson('liveteacher', 'Lena', 'teacher');
const liveLearnerIds: number[] = [];
for (const [n, name] of ['Ada', 'Ben', 'Cleo', 'Dev', 'Esi', 'Finn', 'Gus', 'Hana'].entries())
	liveLearnerIds.push(await livePerson(`live${n + 1}`, name, 'student'));
async function liveClass(name: string, learnerIds: number[]) {
	const id = await createClass(db, teacher.school_id, liveAdmin.id, { name, yearGroup: '8' });
	await assignTeacher(db, teacher.school_id, liveAdmin.id, id, liveTeacherId);
	await enrolLearners(db, teacher.school_id, liveAdmin.id, id, learnerIds);
	return id;
}
await liveClass('Live calibration', liveLearnerIds.slice(0, 4));
const liveScreens = await liveClass('Live screens', [
	...liveLearnerIds.slice(0, 4),
	...liveLearnerIds.slice(5)
]);
const liveScreenLearners = ['live1', 'live2', 'live3', 'live4', 'live6', 'live7', 'live8'];
const asLiveTeacher = await sessionUser(db, 'liveteacher');
const liveCriterion = bank.find((c) => c.code === 'C1.1')!.id;
async function liveScreen(title: string, values: number[]) {
	const id = await startLiveSession(db, asLiveTeacher, {
		classId: liveScreens,
		taskId: null,
		criterionId: liveCriterion,
		exemplarTitle: title,
		exemplarBody:
			'A two-minute pitch to the council for a recycling app: the problem, who it helps, a demo of the sorting screen and what it would cost.'
	});
	for (const [i, value] of values.entries())
		await placeLive(db, await sessionUser(db, liveScreenLearners[i]!), id, value);
	return id;
}
await liveScreen('Live: open exemplar', [30, 50, 70, 65]);
// Not yet, Emerging and Excelling one each, Developing and Secure two each: equal counts, equal bars.
const liveRevealed = await liveScreen('Live: revealed exemplar', [10, 30, 45, 50, 65, 70, 90]);
await setLiveState(db, asLiveTeacher, liveRevealed, { teacherValue: 55, state: 'revealed' });
const liveClosed = await liveScreen('Live: closed exemplar', [45, 65, 80, 62, 55]);
await setLiveState(db, asLiveTeacher, liveClosed, { teacherValue: 60, state: 'revealed' });
await setLiveState(db, asLiveTeacher, liveClosed, { state: 'closed' });

// A badge issued to student2 (award identifier fixed below, for the matrix's public routes).
const asAdmin = await sessionUser(db, 'admin');
const presenter = await createBadge(db, asAdmin, {
	name: 'Seeded presenter',
	description: 'A badge made by the test seed.',
	criteriaNarrative: 'Be judged Developing or above on a communication criterion.',
	layer: 'engage',
	rule: { kind: 'capri', target: 'C', minBand: 2, minTasks: 1 },
	alignmentItemIds: [(await capriTree(db)).find((c) => c.code === 'C')!.id]
});
const awardIdentifier = await issueBadge(
	db,
	asTeacher,
	presenter,
	student2.id,
	process.env.ORIGIN || 'http://localhost:4173'
);
await db
	.updateTable('badge_awards')
	.set({ identifier: SEEDED_AWARD })
	.where('identifier', '=', awardIdentifier)
	.execute();
await issueBadge(
	db,
	asTeacher2,
	presenter,
	student19.id,
	process.env.ORIGIN || 'http://localhost:4173'
);

// Marking list filters, `[`/`]` and evidence previews (tests/e2e/marking.spec.ts, read only), in a
// class of their own: teacher "markingteacher" and learners marking1–marking7, one in each state.
// Name order (Ashworth … Grant) differs from the "ready to mark first" order: Dalton and Cole
// (submitted, Dalton first), Brooks (in progress), Evans (marked, a flagged gap), Grant (released),
// then Ashworth and Foster (not started).
{
	const school = teacher.school_id;
	const { password_hash } = await db
		.selectFrom('users')
		.select('password_hash')
		.where('username', '=', 'teacher')
		.executeTakeFirstOrThrow();
	const people: [string, string, string, 'teacher' | 'student'][] = [
		['markingteacher', 'Mina', 'Marsh', 'teacher'],
		['marking1', 'Ada', 'Ashworth', 'student'],
		['marking2', 'Ben', 'Brooks', 'student'],
		['marking3', 'Cara', 'Cole', 'student'],
		['marking4', 'Dev', 'Dalton', 'student'],
		['marking5', 'Eve', 'Evans', 'student'],
		['marking6', 'Finn', 'Foster', 'student'],
		['marking7', 'Gia', 'Grant', 'student']
	];
	const ids: Record<string, number> = {};
	for (const [username, given, family, role] of people) {
		const now = new Date().toISOString();
		const { id } = await db
			.insertInto('users')
			.values({
				username,
				given_name: given,
				family_name: family,
				password_hash,
				password_changed_at: now,
				created_at: now
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await db
			.insertInto('memberships')
			.values({ user_id: id, school_id: school, role, year_group: null, created_at: now })
			.execute();
		ids[username] = id;
	}
	const markingClass = await createClass(db, school, asAdmin.id, {
		name: 'Marking class'
	});
	await assignTeacher(db, school, asAdmin.id, markingClass, ids.markingteacher!);
	await enrolLearners(
		db,
		school,
		asAdmin.id,
		markingClass,
		people.filter((p) => p[3] === 'student').map((p) => ids[p[0]]!)
	);
	const asMarker = await sessionUser(db, 'markingteacher');
	const portfolio = await createTask(db, asMarker, markingClass, settings('Marking: portfolio'));
	for (const code of ['C1.1', 'P1.1'])
		await addTaskCriterion(db, asMarker, portfolio, bank.find((c) => c.code === code)!.id);
	await setTaskState(db, asMarker, portfolio, 'published');
	const portfolioCriteria = await taskCriteria(db, portfolio);
	const selfAssess = async (username: string, values: number[]) => {
		const learner = await sessionUser(db, username);
		for (const [i, c] of portfolioCriteria.entries())
			if (values[i] !== undefined)
				await saveSelfAssessment(db, learner, portfolio, {
					kind: 'criterion',
					criterionId: c.criterionId,
					value: values[i]!
				});
		return learner;
	};
	const submitAt = async (learner: typeof asMarker, submittedAt: string) => {
		await submitSelfAssessment(db, learner, portfolio);
		// Fixed times, so "oldest first" does not hang on which millisecond the seed ran in.
		await db
			.updateTable('submissions')
			.set({ self_submitted_at: submittedAt })
			.where('task_id', '=', portfolio)
			.where('learner_id', '=', learner.id)
			.execute();
	};
	const markAll = async (learnerId: number, values: number[]) => {
		for (const [i, c] of portfolioCriteria.entries())
			await saveTeacherGrade(db, asMarker, portfolio, learnerId, {
				kind: 'criterion',
				criterionId: c.criterionId,
				value: values[i]!
			});
	};
	await selfAssess('marking2', [55]);
	// Cara's work carries one of each kind of evidence the marking screen previews: a picture, a
	// PDF (first page drawn in the browser), a Word file (a download), a link and a note.
	const cara = await selfAssess('marking3', [70, 60]);
	const poster = await sharp(
		Buffer.from(
			'<svg xmlns="http://www.w3.org/2000/svg" width="320" height="200"><rect width="320" height="200" fill="#f4e3b5"/><rect x="20" y="20" width="130" height="160" fill="#1f5f8b"/><circle cx="235" cy="100" r="60" fill="#c0392b"/></svg>'
		)
	)
		.png()
		.toBuffer();
	await addEvidence(db, cara, portfolio, {
		kind: 'file',
		title: 'Poster draft',
		file: new File([new Uint8Array(poster)], 'poster.png', { type: 'image/png' })
	});
	const plan = await new Promise<Buffer>((done, failed) => {
		const doc = new PDFDocument({ size: 'A4', margin: 56 });
		const parts: Buffer[] = [];
		doc.on('data', (part: Buffer) => parts.push(part));
		doc.on('end', () => done(Buffer.concat(parts)));
		doc.on('error', failed);
		doc.rect(0, 0, doc.page.width, 160).fill('#1f5f8b');
		doc.fillColor('#ffffff').fontSize(32).text('Project plan', 56, 60);
		doc
			.fillColor('#1b1f24')
			.fontSize(14)
			.text('Week 1: research the client. Week 2: build.', 56, 200);
		doc.rect(56, 260, 480, 200).fill('#c0392b');
		doc.addPage().fillColor('#1b1f24').fontSize(14).text('Page two: the budget.');
		doc.end();
	});
	await addEvidence(db, cara, portfolio, {
		kind: 'file',
		title: 'Project plan',
		file: new File([new Uint8Array(plan)], 'plan.pdf', { type: 'application/pdf' })
	});
	const docx = zipSync({
		'[Content_Types].xml': new TextEncoder().encode(
			'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
		),
		'_rels/.rels': new TextEncoder().encode(
			'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'
		),
		'word/document.xml': new TextEncoder().encode(
			'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Reflection notes</w:t></w:r></w:p></w:body></w:document>'
		)
	});
	await addEvidence(db, cara, portfolio, {
		kind: 'file',
		title: 'Reflection notes',
		file: new File([docx], 'notes.docx', {
			type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'
		})
	});
	await addEvidence(db, cara, portfolio, {
		kind: 'link',
		title: 'Class blog post',
		url: 'https://example.org/blog/poster'
	});
	await addEvidence(db, cara, portfolio, {
		kind: 'text',
		title: 'What I changed',
		body: 'I made the title bigger after the class feedback.'
	});
	await submitAt(cara, '2026-03-02T09:30:00.000Z');
	await submitAt(await selfAssess('marking4', [40, 45]), '2026-03-01T15:00:00.000Z');
	const eve = await selfAssess('marking5', [90, 50]);
	await submitAt(eve, '2026-03-01T10:00:00.000Z');
	await markAll(eve.id, [10, 50]);
	const gia = await selfAssess('marking7', [60, 62]);
	await submitAt(gia, '2026-02-28T12:00:00.000Z');
	await markAll(gia.id, [55, 62]);
	await releaseGrades(db, asMarker, portfolio, gia.id);
}

// A finished export of the teacher's (for the matrix): a real job row and its zip.
const exportsDir = join(uploadsDirectory(), 'exports');
mkdirSync(exportsDir, { recursive: true });
writeFileSync(
	join(exportsDir, `${EXPORT_JOB_ID}.zip`),
	zipSync({ 'readme.txt': new TextEncoder().encode('Seeded export') })
);
await db
	.insertInto('export_jobs')
	.values({
		id: EXPORT_JOB_ID,
		school_id: teacher.school_id,
		requested_by: teacher.id,
		kind: 'learner_reports_zip',
		params_json: JSON.stringify({ classId }),
		state: 'done',
		progress: 1,
		total: 1,
		file_path: join(exportsDir, `${EXPORT_JOB_ID}.zip`),
		created_at: new Date().toISOString(),
		finished_at: new Date().toISOString()
	})
	.execute();
// It holds the class's learners, as a real export records them (checked again at download).
await db
	.insertInto('export_job_learners')
	.columns(['job_id', 'learner_id'])
	.expression((eb) =>
		eb
			.selectFrom('enrolments')
			.select([eb.val(EXPORT_JOB_ID).as('job_id'), 'learner_id'])
			.where('class_id', '=', classId)
	)
	.execute();

// home (tests/e2e/home.spec.ts, read only): a learner in no class, who has not yet chosen their
// own password, and a class without a teacher, so the admin home has to-dos whose links it
// follows; and a live session open in the teacher's class.
{
	const admin = await sessionUser(db, 'admin');
	await createPerson(db, admin.schoolId, admin.id, {
		username: 'home1',
		givenName: 'Hana',
		familyName: 'Newcomer',
		role: 'student'
	});
	await createClass(db, admin.schoolId, admin.id, { name: 'Home: class without a teacher' });
	// A live session in the teacher's class nobody else reveals or closes: both homes link to it.
	await startLiveSession(db, asTeacher, {
		classId,
		taskId: published,
		criterionId: criteria[0]!.criterionId,
		exemplarTitle: 'Home: live now',
		exemplarBody: 'An exemplar to place.'
	});
}

// Undo School (tests/e2e/undo.spec.ts, issue 13 item 9): seven learners of their own in a school of
// its own, so issuing badges, holding grades back and taking work back there changes nothing
// another spec sees. Who is in which state is in tests/e2e/undo-fixtures.ts.
{
	const plan = planSchool({
		...schoolOfSize(7, 1, 9),
		schoolName: UNDO_SCHOOL.name,
		slug: UNDO_SCHOOL.slug
	});
	const undoUsername = (u: string) =>
		u === 'admin' ? 'undoadmin' : u === 'teacher' ? 'undoteacher' : u.replace('student', 'undo');
	plan.people = plan.people.map((p) => {
		const username = undoUsername(p.username) as keyof typeof UNDO_PEOPLE;
		const [givenName, familyName] = UNDO_PEOPLE[username];
		return { ...p, username, givenName, familyName };
	});
	plan.classes = plan.classes.map((c) => ({
		...c,
		teachers: c.teachers.map(undoUsername),
		learners: c.learners.map(undoUsername)
	}));
	await insertSchool(db, plan, DEMO_PASSWORD);
	const undoTeacher = await sessionUser(db, 'undoteacher');
	const [undoClass] = await listTeacherClasses(db, undoTeacher.id);
	const undoBank = await listBank(db, undoTeacher.schoolId);
	const undoTask = await createTask(
		db,
		undoTeacher,
		undoClass!.id,
		taskSettingsSchema.parse({
			title: UNDO_TASK,
			brief: 'Make a poster that explains one idea to a younger class.',
			scaleId: (await listScales(db, undoTeacher.schoolId)).find((s) =>
				s.name.startsWith('School scale')
			)!.id,
			selfMarkerVisibility: 'always',
			selfRequiredBeforeRelease: 'on'
		})
	);
	for (const code of ['C1.1', 'P1.1'])
		await addTaskCriterion(db, undoTeacher, undoTask, undoBank.find((c) => c.code === code)!.id);
	await setTaskState(db, undoTeacher, undoTask, 'published');
	const undoCriteria = await taskCriteria(db, undoTask);
	async function undoWork(
		username: keyof typeof UNDO_PEOPLE,
		self: number[],
		then: { grades?: number[]; release?: boolean } | null
	) {
		const learner = await sessionUser(db, username);
		for (const [i, c] of undoCriteria.entries())
			await saveSelfAssessment(db, learner, undoTask, {
				kind: 'criterion',
				criterionId: c.criterionId,
				value: self[i]!
			});
		if (!then) return;
		await submitSelfAssessment(db, learner, undoTask);
		for (const [i, c] of undoCriteria.entries())
			if (then.grades)
				await saveTeacherGrade(db, undoTeacher, undoTask, learner.id, {
					kind: 'criterion',
					criterionId: c.criterionId,
					value: then.grades[i]!,
					comment: i === 0 ? 'A clear headline that a younger reader understands.' : ''
				});
		if (then.release) await releaseGrades(db, undoTeacher, undoTask, learner.id);
	}
	await undoWork('undo1', [62, 55], null);
	await undoWork('undo7', [35, 80], null);
	// Marked low on communication, so the badge below never proposes undo2 (held back or not).
	await undoWork('undo2', [50, 50], { grades: [10, 45], release: true });
	for (const username of ['undo3', 'undo4', 'undo5'] as const)
		await undoWork(username, [70, 70], { grades: [75, 70], release: true });
	await undoWork('undo6', [40, 60], { grades: [45, 50] });
	await createBadge(db, await sessionUser(db, 'undoadmin'), {
		name: UNDO_BADGE,
		description: 'Explains an idea clearly to an audience.',
		criteriaNarrative: 'Be judged Developing or above on a communication criterion.',
		layer: 'engage',
		rule: { kind: 'capri', target: 'C', minBand: 2, minTasks: 1 },
		alignmentItemIds: [(await capriTree(db)).find((c) => c.code === 'C')!.id]
	});
}

// Roster import (tests/e2e/roster.spec.ts, authorisation matrix): a second admin of the demo school,
// who must not get the first admin's sign-in slips, and slips of the demo admin's (three made-up
// accounts, no real passwords) for the matrix to ask for, kept the hour every import's are (a
// whole e2e run takes 5–15 minutes).
const demoAdmin = await db
	.selectFrom('users')
	.select('id')
	.where('username', '=', 'admin')
	.executeTakeFirstOrThrow();
const rosterAdmin2 = await createPerson(db, teacher.school_id, demoAdmin.id, {
	username: 'rosteradmin2',
	givenName: 'Second',
	familyName: 'Admin',
	role: 'admin'
});
await db
	.updateTable('users')
	.set({ password_hash: await hashPassword(DEMO_PASSWORD), must_change_password: 0 })
	.where('id', '=', rosterAdmin2.userId)
	.execute();
const rosterOwner = { schoolId: teacher.school_id, adminId: demoAdmin.id };
await db
	.insertInto('roster_handouts')
	.values({
		id: ROSTER_HANDOUT_ID,
		school_id: teacher.school_id,
		admin_id: demoAdmin.id,
		people: 3,
		sealed: sealHandout(
			await handoutKey(db),
			rosterOwner,
			['rosterslip1', 'rosterslip2', 'rosterslip3'].map((username, i) => ({
				givenName: `Slip${i + 1}`,
				familyName: 'Fixture',
				name: `Slip${i + 1} Fixture`,
				username,
				role: 'student' as const,
				classes: ['Roster fixture class'],
				password: 'fixture-not-real'
			}))
		),
		created_at: new Date().toISOString(),
		expires_at: new Date(Date.now() + HANDOUT_LIFETIME_MS).toISOString()
	})
	.execute();

// The demo school's own CASE frameworks, private until published (tests/e2e/case-fixtures.ts).
for (const framework of [CASE_PRIVATE, CASE_TO_PUBLISH])
	await importCasePackage(db, teacher.school_id, demoAdmin.id, caseFixturePackage(framework));

// Orb School (tests/e2e/roster.spec.ts, the OneRoster bundle): a school of its own, so that
// importing a district's bundle (and the org it stores on the school) changes nothing another
// spec sees in the demo school.
{
	const plan = planSchool({ ...schoolOfSize(1, 1, 11), schoolName: 'Orb School', slug: 'orb' });
	const orbUsername = (u: string) => `orb${u}`;
	plan.people = plan.people.map((p) => ({ ...p, username: orbUsername(p.username) }));
	plan.classes = plan.classes.map((c) => ({
		...c,
		name: `orb ${c.name}`,
		teachers: c.teachers.map(orbUsername),
		learners: c.learners.map(orbUsername)
	}));
	await insertSchool(db, plan, DEMO_PASSWORD);
}

// Sign-in cards (tests/e2e/sign-in-cards.spec.ts): a class "card class" of four learners of their
// own, made as a roster import makes them (a one-time password nobody knows, to be changed at first
// sign-in), so printing their cards and signing in with one changes nothing another spec sees.
{
	const admin = await sessionUser(db, 'admin');
	const cardClass = await createClass(db, admin.schoolId, admin.id, {
		name: 'card class',
		yearGroup: '3'
	});
	const pupils: number[] = [];
	for (const [n, [givenName, familyName]] of [
		['Amira', 'Bakr'],
		['Ben', 'Carter'],
		['Chloé', 'Dubois'],
		['Dev', 'Evans']
	].entries()) {
		const { userId } = await createPerson(db, admin.schoolId, admin.id, {
			username: `cardpupil${n + 1}`,
			givenName: givenName!,
			familyName: familyName!,
			role: 'student',
			yearGroup: '3'
		});
		pupils.push(userId);
	}
	await enrolLearners(db, admin.schoolId, admin.id, cardClass, pupils);
}

// ——— Single sign-on (tests/e2e/sso.spec.ts, the authorisation matrix) ———
// A disabled provider in the demo school, for the matrix's /admin/sign-in/[providerId] (never
// signed in with: its issuer does not exist), and SSO Academy (slug sso-academy), whose admin
// configures the spec's own provider through the settings page; its learners have school e-mails.
{
	const now = new Date().toISOString();
	await db
		.insertInto('sign_in_providers')
		.values({
			id: SSO_DEMO_PROVIDER_ID,
			school_id: teacher.school_id,
			kind: 'oidc',
			label: 'Demo sign-in (disabled)',
			issuer: 'https://sso.invalid',
			client_id: 'demo',
			sealed_secret: sealClientSecret(teacher.school_id, SSO_DEMO_PROVIDER_ID, 'demo-secret'),
			allowed_domains: JSON.stringify(['demo.invalid']),
			enabled: 0,
			created_at: now,
			updated_at: now
		})
		.execute();
	const plan = planSchool({
		...schoolOfSize(2, 1, 21),
		schoolName: 'SSO Academy',
		slug: 'sso-academy'
	});
	const ssoUsername = (u: string) => `sso${u}`;
	plan.people = plan.people.map((p) => ({ ...p, username: ssoUsername(p.username) }));
	plan.classes = plan.classes.map((c) => ({
		...c,
		name: `sso ${c.name}`,
		teachers: c.teachers.map(ssoUsername),
		learners: c.learners.map(ssoUsername)
	}));
	await insertSchool(db, plan, DEMO_PASSWORD);
	for (const person of plan.people)
		await db
			.updateTable('users')
			.set({ email: `${person.username}@sso-academy.test` })
			.where('username', '=', person.username)
			.execute();
}

// ── remind (issue 15: extensions and reminders) ──────────────────────────────────────────────────
// "remind class", taught by the demo teacher, with three learners of its own, so reminding and
// extending here tells nobody another spec counts: "Remind: homework" is published (remind.spec.ts
// grants an extension and reminds), "Remind: matrix task" stays a draft for the matrix (reminding
// it is refused as not published, so no one is told).
{
	const school = teacher.school_id;
	const { password_hash } = await db
		.selectFrom('users')
		.select('password_hash')
		.where('username', '=', 'teacher')
		.executeTakeFirstOrThrow();
	const learnerIds: number[] = [];
	for (const [username, given] of [
		['remind1', 'Rhea'],
		['remind2', 'Ravi'],
		['remind3', 'Rosa']
	] as const) {
		const now = new Date().toISOString();
		const { id } = await db
			.insertInto('users')
			.values({
				username,
				given_name: given,
				family_name: 'Remind',
				password_hash,
				password_changed_at: now,
				created_at: now
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await db
			.insertInto('memberships')
			.values({
				user_id: id,
				school_id: school,
				role: 'student',
				year_group: null,
				created_at: now
			})
			.execute();
		learnerIds.push(id);
	}
	const demoAdmin = await sessionUser(db, 'admin');
	const remindClass = await createClass(db, school, demoAdmin.id, { name: 'remind class' });
	await assignTeacher(db, school, demoAdmin.id, remindClass, teacher.id);
	await enrolLearners(db, school, demoAdmin.id, remindClass, learnerIds);
	const homework = await createTask(db, asTeacher, remindClass, {
		...settings('Remind: homework'),
		dueAt: new Date(Date.now() + 3 * 24 * 60 * 60 * 1000).toISOString()
	});
	await addTaskCriterion(db, asTeacher, homework, bank.find((c) => c.code === 'C1.1')!.id);
	await setTaskState(db, asTeacher, homework, 'published');
	await createTask(db, asTeacher, remindClass, settings('Remind: matrix task'));
}
// ── end remind ───────────────────────────────────────────────────────────────────────────────────

// ---- notif: the notification centre (tests/e2e/notifications.spec.ts) --------------------------
// A school of its own, so marking notifications read changes nothing another spec counts: a
// learner with five notifications (one read), and a second learner with one, for the check that
// nobody opens or marks another's. The unsubscribe key is made now, so the spec can sign a link.
{
	const plan = planSchool({ ...schoolOfSize(2, 1, 23), schoolName: 'Notif School', slug: 'notif' });
	const notifUsername = (u: string) => (u.startsWith('student') ? `notif${u}` : `notif-${u}`);
	plan.people = plan.people.map((p) => ({ ...p, username: notifUsername(p.username) }));
	plan.classes = plan.classes.map((c) => ({
		...c,
		name: `notif ${c.name}`,
		teachers: c.teachers.map(notifUsername),
		learners: c.learners.map(notifUsername)
	}));
	await insertSchool(db, plan, DEMO_PASSWORD);
	const idOfUser = async (username: string) =>
		(
			await db
				.selectFrom('users')
				.select('id')
				.where('username', '=', username)
				.executeTakeFirstOrThrow()
		).id;
	const [learner, other] = [await idOfUser('notifstudent1'), await idOfUser('notifstudent2')];
	const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
	const told: [number, Parameters<typeof notify>[1]][] = [
		[
			50,
			{
				userIds: [learner],
				kind: 'grades_released',
				params: { taskId: 1, taskTitle: 'Persuasive letter' },
				link: '/student'
			}
		],
		[
			40,
			{
				userIds: [learner],
				kind: 'task_published',
				params: { taskId: 2, taskTitle: 'Volcano report', className: '9A Science' },
				link: '/student'
			}
		],
		[
			30,
			{
				userIds: [learner],
				kind: 'due_tomorrow',
				params: { taskId: 2, taskTitle: 'Volcano report', at: '2026-12-03T15:30:00.000Z' },
				link: '/student'
			}
		],
		[
			20,
			{
				userIds: [learner],
				kind: 'peer_reviews_waiting',
				params: { taskId: 2, taskTitle: 'Volcano report', count: 2 },
				link: '/student/reviews'
			}
		],
		[
			10,
			{
				userIds: [learner],
				kind: 'badge_awarded',
				params: { badgeName: 'Team player' },
				link: '/student/badges'
			}
		],
		[
			5,
			{
				userIds: [other],
				kind: 'grades_released',
				params: { taskId: 3, taskTitle: 'Not yours' },
				link: '/student'
			}
		]
	];
	for (const [minutes, request] of told) await notify(db, request, minutesAgo(minutes));
	await db
		.updateTable('notifications')
		.set({ read_at: minutesAgo(45).toISOString() })
		.where('user_id', '=', learner)
		.where('kind', '=', 'grades_released')
		.execute();
	await unsubscribeToken(db, learner);
}
// ---- end notif ----------------------------------------------------------------------------------

// ---- xmod: cross-school moderation (docs/CITY-MODERATION.md) -----------------------------------
// A city of two schools (xmod-a-…, xmod-b-…) with released work, a school in another city
// (xmod-far-…), their city admins, and one round drawn with a fixed seed for the authorisation
// matrix and the fuzzer ("xmod matrix round"); tests/e2e/city-moderation.spec.ts draws its own.
{
	const { cityModerationFixture } = await import('../unit/city-moderation-fixture');
	const { createRound } = await import('../../src/lib/server/city-moderation/rounds');
	const { newRoundSchema } = await import('../../src/lib/schemas/city-moderation');
	const xmod = await cityModerationFixture(db, {
		prefix: 'xmod',
		password: DEMO_PASSWORD,
		learners: 6
	});
	await createRound(
		db,
		await sessionUser(db, 'xmod-city-admin'),
		xmod.cityId,
		newRoundSchema.parse({
			title: 'xmod matrix round',
			schoolIds: [xmod.a.schoolId, xmod.b.schoolId],
			teacherIds: [xmod.teacherIds.a[1], xmod.teacherIds.b[1]],
			codes: ['C1.1'],
			perSchool: 5
		}),
		20261202
	);
}
// ---- end xmod -----------------------------------------------------------------------------------
// ---- city: the city tier (tests/e2e/city.spec.ts, the authorisation matrix) ---------------------
// The demo school is in Northbridge City (the seed), whose admin is `city`. Here: a second school in
// it, City Academy (usernames `city-ca-…`), with learners' skill aggregates so the city report has
// figures (a year group of 3 is hidden); the city's criterion, template and badge; and another city,
// Otherton, with its admin `city-other` and its own criterion, template and badge, which nobody of
// Northbridge City may see.
{
	const { DEMO_CITY } = await import('../../src/lib/server/db/seed');
	const { createCityCriterion } = await import('../../src/lib/server/city/criteria');
	const { createCityTemplate } = await import('../../src/lib/server/city/templates');
	const { createCityBadge } = await import('../../src/lib/server/city/badges');
	const { fusionSkills } = await import('../../src/lib/server/frameworks/frameworks');
	const now = new Date().toISOString();
	const city = await db
		.selectFrom('cities')
		.select('id')
		.where('slug', '=', DEMO_CITY.slug)
		.executeTakeFirstOrThrow();
	const academy = planSchool({
		...schoolOfSize(20, 2, 31),
		schoolName: 'City Academy',
		slug: 'city-academy'
	});
	const prefix = (u: string) => `city-ca-${u}`;
	academy.people = academy.people.map((p) => ({ ...p, username: prefix(p.username) }));
	academy.classes = academy.classes.map((c) => ({
		...c,
		name: `City Academy ${c.name}`,
		teachers: c.teachers.map(prefix),
		learners: c.learners.map(prefix)
	}));
	const { schoolId: academyId } = await insertSchool(db, academy, DEMO_PASSWORD);
	await db.updateTable('schools').set({ city_id: city.id }).where('id', '=', academyId).execute();
	const learners = await db
		.selectFrom('memberships')
		.select(['id', 'user_id'])
		.where('school_id', '=', academyId)
		.where('role', '=', 'student')
		.orderBy('user_id')
		.execute();
	// Year 7: 12 learners, year 8: 5, year 11: 3 (fewer than 5: hidden, and so are the totals that
	// would give it away).
	const yearOf = (i: number) => (i < 12 ? '7' : i < 17 ? '8' : '11');
	for (const [i, l] of learners.entries())
		await db
			.updateTable('memberships')
			.set({ year_group: yearOf(i) })
			.where('id', '=', l.id)
			.execute();
	const skills = await fusionSkills(db);
	await db
		.insertInto('learner_skill_aggregates')
		.values(
			learners.flatMap((l, i) =>
				skills.map((skill, k) => ({
					learner_id: l.user_id,
					skill_id: skill.id,
					school_id: academyId,
					weight: 2,
					level_sum: 2 * (0.3 + ((i + k) % 5) * 0.12),
					self_weight: 2,
					self_level_sum: 1.2,
					evidence_count: 2,
					task_count: 2,
					updated_at: now
				}))
			)
		)
		.execute();

	const cityAdminId = (
		await db
			.selectFrom('users')
			.select('id')
			.where('username', '=', DEMO_CITY.admin)
			.executeTakeFirstOrThrow()
	).id;
	const scale = (await listScales(db, 0)).find((x) => x.shared)!;
	const sub = (await capriTree(db))[0]!.subCategories[0]!;
	const criterion = (title: string) => ({
		subCategoryId: sub.id,
		scaleId: scale.id,
		title,
		description: 'Presents an idea to people from other schools, clearly and with evidence.',
		descriptors: scale.bands.map((b) => `${b.label}: presents to an audience at this level`),
		skillOverrides: []
	});
	const settings = {
		selfRequiredBeforeRelease: true,
		selfMarkerVisibility: 'always' as const,
		peerEnabled: false,
		peerReviewersPerLearner: 2,
		peerAllocation: 'random' as const,
		peerAnonymous: true,
		groupTask: false
	};
	const badge = (name: string) => ({
		name,
		description: 'Speaks well to an audience from other schools.',
		criteriaNarrative: 'Secure or better in oral communication in two tasks.',
		layer: 'demonstrate' as const,
		rule: { kind: 'skill' as const, target: skills[0]!.id, minBand: 3, minTasks: 2 },
		alignmentItemIds: [skills[0]!.id]
	});
	const cityCriterion = await createCityCriterion(
		db,
		city.id,
		cityAdminId,
		criterion('City: presents to an audience')
	);
	await createCityCriterion(db, city.id, cityAdminId, criterion('City: adopt me'));
	await createCityTemplate(db, city.id, cityAdminId, {
		title: 'City debate',
		brief: 'Argue a case before another school.',
		scaleId: scale.id,
		settings,
		criteria: [{ cityCriterionId: cityCriterion, weight: 1 }]
	});
	await createCityBadge(db, city.id, cityAdminId, badge('City speaker'));

	const { id: otherton } = await db
		.insertInto('cities')
		.values({ name: 'Otherton', slug: 'city-otherton', created_at: now })
		.returning('id')
		.executeTakeFirstOrThrow();
	const { id: othertonAdmin } = await db
		.insertInto('users')
		.values({
			username: 'city-other',
			given_name: 'Otto',
			family_name: 'Town',
			password_hash: await hashPassword(DEMO_PASSWORD),
			password_changed_at: now,
			created_at: now
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	await db
		.insertInto('city_admins')
		.values({ city_id: otherton, user_id: othertonAdmin, created_at: now })
		.execute();
	const othertonCriterion = await createCityCriterion(
		db,
		otherton,
		othertonAdmin,
		criterion('Otherton: a criterion of another city')
	);
	await createCityTemplate(db, otherton, othertonAdmin, {
		title: 'Otherton template',
		brief: '',
		scaleId: scale.id,
		settings,
		criteria: [{ cityCriterionId: othertonCriterion, weight: 1 }]
	});
	await createCityBadge(db, otherton, othertonAdmin, badge('Otherton badge'));
}
// ---- end city -----------------------------------------------------------------------------------

await db.destroy();
