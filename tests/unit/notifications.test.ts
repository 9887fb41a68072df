import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DB } from '../../src/lib/server/db/connection';
import type { SessionUser } from '../../src/lib/server/auth/sessions';
import { notify } from '../../src/lib/server/notifications/notify';
import { runDueJobs } from '../../src/lib/server/jobs/queue';
import '../../src/lib/server/jobs/handlers';
import {
	DIGEST_HOUR_UTC,
	deleteOldReadNotifications,
	scheduleNotificationJobs
} from '../../src/lib/server/notifications/email';
import {
	emailRecipients,
	setEmailPreference,
	setSchoolEmailMinimumAge
} from '../../src/lib/server/notifications/email-settings';
import {
	unsubscribeToken,
	userOfUnsubscribeToken
} from '../../src/lib/server/notifications/unsubscribe';
import {
	listNotifications,
	markAllRead,
	markNotification,
	openNotification,
	unreadCount
} from '../../src/lib/server/notifications/centre';
import {
	describeNotification,
	emailAllowed,
	isSameSitePath,
	NOTIFICATION_KINDS,
	youngestAgeOfYearGroup
} from '../../src/lib/domain/notifications';
import {
	saveSelfAssessment,
	submitSelfAssessment
} from '../../src/lib/server/assessment/self-assessment';
import { releaseGrades, saveTeacherGrade } from '../../src/lib/server/assessment/marking';
import { allocatePeers } from '../../src/lib/server/peer/allocation';
import { myReviews, savePeerReview, submitPeerReview } from '../../src/lib/server/peer/reviewing';
import { flagPeerReview, reviewsOfMyWork } from '../../src/lib/server/peer/flags';
import { fusionSkills } from '../../src/lib/server/frameworks/frameworks';
import { createBadge } from '../../src/lib/server/badges/badges';
import { issueBadge } from '../../src/lib/server/badges/awards';
import { demoDatabase, publishedTask, sessionUser } from './helpers';
import { decodeHeader, startInbox, type Inbox } from './smtp-inbox';

const ORIGIN = 'https://school.example';
let inbox: Inbox;
let db: DB;
let schoolId: number;
let teacher: SessionUser;

beforeAll(async () => {
	inbox = await startInbox();
	process.env.SMTP_HOST = '127.0.0.1';
	process.env.SMTP_PORT = String(inbox.port);
	process.env.SMTP_FROM = 'Fusion Skills <noreply@school.example>';
	process.env.ORIGIN = ORIGIN;
});
afterAll(async () => {
	for (const name of ['SMTP_HOST', 'SMTP_PORT', 'SMTP_FROM', 'ORIGIN']) delete process.env[name];
	await inbox.close();
});
beforeEach(async () => {
	inbox.messages.length = 0;
	({ db, schoolId } = await demoDatabase());
	teacher = await sessionUser(db, 'teacher');
});
afterEach(async () => db.destroy());

async function setAddress(userId: number, email: string) {
	await db.updateTable('users').set({ email }).where('id', '=', userId).execute();
}

async function notificationsOf(userId: number) {
	return db
		.selectFrom('notifications')
		.selectAll()
		.where('user_id', '=', userId)
		.orderBy('id')
		.execute();
}

/** A learner places every slider and hands the work in. */
async function handIn(taskId: number, criteria: { criterionId: number }[], username: string) {
	const learner = await sessionUser(db, username);
	for (const c of criteria)
		await saveSelfAssessment(db, learner, taskId, {
			kind: 'criterion',
			criterionId: c.criterionId,
			value: 60
		});
	await submitSelfAssessment(db, learner, taskId);
	return learner;
}

const T0 = new Date('2026-12-01T09:00:00.000Z');

describe('e-mail through a real SMTP server', () => {
	it('a teacher who wants each notification gets one message, once: recipient, subject, absolute link, language, unsubscribe headers', async () => {
		await setAddress(teacher.id, 'teacher@school.example');
		await setEmailPreference(db, teacher.id, 'each');
		await notify(
			db,
			{
				userIds: [teacher.id],
				kind: 'ready_to_mark',
				params: { taskId: 7, taskTitle: 'Pitch', className: '9A English', count: 1 },
				link: '/teacher/tasks/7/marking',
				dedupeKey: 'ready_to_mark:task:7:2026-12-01',
				onRepeat: 'count'
			},
			T0
		);
		await runDueJobs(db, 'test', T0);
		// A second run of every job, and the same event counted up again, send nothing more.
		await db.updateTable('jobs').set({ state: 'queued', lease_until: null }).execute();
		await runDueJobs(db, 'test', T0);
		expect(inbox.messages).toHaveLength(1);
		const [message] = inbox.messages;
		expect(message!.to).toEqual(['teacher@school.example']);
		expect(decodeHeader(message!.headers.get('subject')!)).toBe('Ready to mark: Pitch');
		expect(message!.headers.get('content-language')).toBe('en-GB');
		expect(message!.html).toContain('<html lang="en-GB">');
		expect(message!.text).toContain(`${ORIGIN}/teacher/tasks/7/marking`);
		expect(message!.html).toContain(`href="${ORIGIN}/teacher/tasks/7/marking"`);
		const unsubscribe = /^<(.+)>$/.exec(message!.headers.get('list-unsubscribe')!)![1]!;
		expect(unsubscribe.startsWith(`${ORIGIN}/unsubscribe/`)).toBe(true);
		expect(message!.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
		expect(await userOfUnsubscribeToken(db, unsubscribe.split('/').at(-1)!)).toBe(teacher.id);
		expect(message!.text).toContain('because you asked Fusion Skills');
		const [row] = await notificationsOf(teacher.id);
		expect(row!.emailed_at).not.toBeNull();
	});

	it('a notification read, or a preference changed, before its job runs is not e-mailed at once', async () => {
		await setAddress(teacher.id, 'teacher@school.example');
		await setEmailPreference(db, teacher.id, 'each');
		const request = {
			userIds: [teacher.id],
			kind: 'ready_to_mark' as const,
			params: { taskId: 7, taskTitle: 'Pitch' },
			link: '/teacher/tasks/7/marking'
		};
		await notify(db, request, T0);
		await notify(db, request, T0);
		const [first] = await notificationsOf(teacher.id);
		await markNotification(db, teacher.id, first!.id, true);
		await setEmailPreference(db, teacher.id, 'daily');
		await runDueJobs(db, 'test', T0);
		expect(inbox.messages).toHaveLength(0);
		// The second, unread and unsent, waits for the digest.
		const rows = await notificationsOf(teacher.id);
		expect(rows.map((r) => r.emailed_at)).toEqual([null, null]);
	});

	it('the daily digest gathers each person’s unread notifications into one message, once', async () => {
		const learner = await sessionUser(db, 'student1');
		await setAddress(learner.id, 'student1@school.example');
		await scheduleNotificationJobs(db, T0);
		for (const [kind, title] of [
			['task_published', 'Pitch'],
			['grades_released', 'Debate']
		] as const)
			await notify(
				db,
				{ userIds: [learner.id], kind, params: { taskId: 1, taskTitle: title }, link: '/student' },
				T0
			);
		// The default for a pupil old enough is the digest: nothing goes out before its hour.
		await runDueJobs(db, 'test', T0);
		expect(inbox.messages).toHaveLength(0);
		const digestTime = new Date(T0);
		digestTime.setUTCHours(DIGEST_HOUR_UTC, 0, 5, 0);
		await runDueJobs(db, 'test', digestTime);
		expect(inbox.messages).toHaveLength(1);
		const [digest] = inbox.messages;
		expect(digest!.to).toEqual(['student1@school.example']);
		expect(decodeHeader(digest!.headers.get('subject')!)).toBe(
			'Fusion Skills: 2 new notifications'
		);
		expect(digest!.text).toContain('Your teacher set a new task: “Pitch”.');
		expect(digest!.text).toContain('Your teacher released your grades for “Debate”.');
		expect(digest!.text).toContain(`${ORIGIN}/notifications`);
		// The next day's digest is waiting; it has nothing new to send.
		const next = await db
			.selectFrom('jobs')
			.select('run_at')
			.where('kind', '=', 'email.digest')
			.where('state', '=', 'queued')
			.execute();
		expect(next.map((j) => j.run_at)).toEqual(['2026-12-02T16:00:00.000Z']);
		await runDueJobs(db, 'test', new Date('2026-12-02T16:00:01.000Z'));
		expect(inbox.messages).toHaveLength(1);
	});

	it('a pupil under the school’s age gets no e-mail, even having chosen each, and cannot be counted old enough without a year group', async () => {
		const learner = await sessionUser(db, 'student1'); // Year 9: at least 13
		await setAddress(learner.id, 'student1@school.example');
		await setEmailPreference(db, learner.id, 'each');
		const admin = await sessionUser(db, 'admin');
		await setSchoolEmailMinimumAge(db, admin, 14);
		await scheduleNotificationJobs(db, T0);
		await notify(
			db,
			{
				userIds: [learner.id],
				kind: 'task_published',
				params: { taskId: 1, taskTitle: 'Pitch' },
				link: '/student/tasks/1'
			},
			T0
		);
		await runDueJobs(db, 'test', new Date('2026-12-01T16:00:01.000Z'));
		expect(inbox.messages).toHaveLength(0);
		expect((await emailRecipients(db, [learner.id]))[0]).toMatchObject({
			allowed: false,
			preference: 'none'
		});
		await setSchoolEmailMinimumAge(db, admin, 13);
		expect((await emailRecipients(db, [learner.id]))[0]!.preference).toBe('each');
		await db
			.updateTable('memberships')
			.set({ year_group: null })
			.where('user_id', '=', learner.id)
			.execute();
		expect((await emailRecipients(db, [learner.id]))[0]!.allowed).toBe(false);
	});

	it('an unsubscribe token names its person; a changed one names nobody', async () => {
		const token = await unsubscribeToken(db, teacher.id);
		expect(await userOfUnsubscribeToken(db, token)).toBe(teacher.id);
		const [id, signature] = token.split('.');
		expect(await userOfUnsubscribeToken(db, `${Number(id) + 1}.${signature}`)).toBeNull();
		const flipped = signature!.startsWith('A')
			? `B${signature!.slice(1)}`
			: `A${signature!.slice(1)}`;
		expect(await userOfUnsubscribeToken(db, `${id}.${flipped}`)).toBeNull();
		expect(await userOfUnsubscribeToken(db, `${id}.`)).toBeNull();
		expect(await userOfUnsubscribeToken(db, 'nonsense')).toBeNull();
	});
});

describe('the notification centre', () => {
	it('lists one person’s own notifications; another cannot open or mark them', async () => {
		const learner = await sessionUser(db, 'student1');
		const other = await sessionUser(db, 'student2');
		await notify(db, {
			userIds: [learner.id],
			kind: 'grades_released',
			params: { taskId: 1, taskTitle: 'Pitch' },
			link: '/student/tasks/1'
		});
		const { items } = await listNotifications(db, learner.id);
		expect(items).toHaveLength(1);
		expect(await unreadCount(db, learner.id)).toBe(1);
		expect((await listNotifications(db, other.id)).items).toHaveLength(0);
		await expect(openNotification(db, other.id, items[0]!.id)).rejects.toMatchObject({
			status: 404
		});
		await expect(markNotification(db, other.id, items[0]!.id, true)).rejects.toMatchObject({
			status: 404
		});
		expect(await unreadCount(db, learner.id)).toBe(1);
		expect(await openNotification(db, learner.id, items[0]!.id)).toBe('/student/tasks/1');
		expect(await unreadCount(db, learner.id)).toBe(0);
		await markNotification(db, learner.id, items[0]!.id, false);
		expect(await markAllRead(db, learner.id)).toBe(1);
	});

	it('refuses a link to another site, and deletes read notifications after 90 days', async () => {
		for (const link of [
			'//evil.example',
			'/\\evil.example',
			'https://evil.example',
			'javascript:x'
		])
			expect(isSameSitePath(link)).toBe(false);
		await expect(
			notify(db, {
				userIds: [teacher.id],
				kind: 'ready_to_mark',
				params: {},
				link: '//evil.example'
			})
		).rejects.toThrow();
		await notify(
			db,
			{ userIds: [teacher.id], kind: 'ready_to_mark', params: {}, link: '/teacher' },
			T0
		);
		await markAllRead(db, teacher.id);
		expect(await deleteOldReadNotifications(db, new Date(Date.now() + 89 * 86_400_000))).toBe(0);
		expect(await deleteOldReadNotifications(db, new Date(Date.now() + 91 * 86_400_000))).toBe(1);
	});

	it('every kind has a sentence and a subject, and pupils’ ages come from their year group', () => {
		for (const kind of NOTIFICATION_KINDS) {
			const text = describeNotification(kind, {});
			expect(text.sentence.length).toBeGreaterThan(10);
			expect(text.subject).not.toContain('undefined');
			expect(text.sentence).not.toContain('undefined');
		}
		expect(youngestAgeOfYearGroup('9')).toBe(13);
		expect(youngestAgeOfYearGroup('Year 7')).toBe(11);
		expect(youngestAgeOfYearGroup('Reception')).toBe(4);
		expect(youngestAgeOfYearGroup('Lower sixth')).toBeNull();
		expect(emailAllowed({ isPupil: true, yearGroup: '8' }, 13)).toBe(false);
		expect(emailAllowed({ isPupil: true, yearGroup: '9' }, 13)).toBe(true);
		expect(emailAllowed({ isPupil: true, yearGroup: null }, 4)).toBe(false);
		expect(emailAllowed({ isPupil: false, yearGroup: null }, 13)).toBe(true);
	});
});

describe('each event raises its notification', () => {
	it('publishing a task tells the class’s learners, once', async () => {
		const { taskId } = await publishedTask(db, schoolId, teacher, ['C1.1']);
		const learner = await sessionUser(db, 'student1');
		const rows = await notificationsOf(learner.id);
		expect(rows.map((r) => [r.kind, r.link])).toEqual([
			['task_published', `/student/tasks/${taskId}`]
		]);
		expect(JSON.parse(rows[0]!.params_json)).toMatchObject({ taskTitle: 'Pitch' });
		// A learner of the other class is not told.
		expect(await notificationsOf((await sessionUser(db, 'student16')).id)).toHaveLength(0);
	});

	it('submissions tell the teacher once a task a day, with the count', async () => {
		const { taskId, criteria } = await publishedTask(db, schoolId, teacher, ['C1.1']);
		await handIn(taskId, criteria, 'student1');
		await handIn(taskId, criteria, 'student2');
		const rows = (await notificationsOf(teacher.id)).filter((r) => r.kind === 'ready_to_mark');
		expect(rows).toHaveLength(1);
		expect(JSON.parse(rows[0]!.params_json)).toMatchObject({ count: 2, taskId });
		expect(
			describeNotification('ready_to_mark', JSON.parse(rows[0]!.params_json)).sentence
		).toMatch(/^2 learners have submitted/);
	});

	it('allocating reviewers tells each reviewer how many reviews wait', async () => {
		const { taskId, criteria } = await publishedTask(db, schoolId, teacher, ['C1.1'], {
			peerEnabled: 'on',
			peerReviewersPerLearner: '2',
			peerAllocation: 'random'
		});
		const learners = [];
		for (const name of ['student1', 'student2', 'student3'])
			learners.push(await handIn(taskId, criteria, name));
		await allocatePeers(db, teacher, taskId, 7);
		for (const learner of learners) {
			const waiting = (await notificationsOf(learner.id)).filter(
				(r) => r.kind === 'peer_reviews_waiting'
			);
			expect(waiting).toHaveLength(1);
			expect(JSON.parse(waiting[0]!.params_json).count).toBe(2);
		}
	});

	it('releasing grades tells each learner released', async () => {
		const { taskId, criteria } = await publishedTask(db, schoolId, teacher, ['C1.1']);
		const learner = await handIn(taskId, criteria, 'student1');
		await saveTeacherGrade(db, teacher, taskId, learner.id, {
			kind: 'criterion',
			criterionId: criteria[0]!.criterionId,
			value: 70
		});
		await releaseGrades(db, teacher, taskId, 'all');
		const released = (await notificationsOf(learner.id)).filter(
			(r) => r.kind === 'grades_released'
		);
		expect(released.map((r) => r.link)).toEqual([`/student/tasks/${taskId}`]);
		expect(
			(await notificationsOf((await sessionUser(db, 'student2')).id)).some(
				(r) => r.kind === 'grades_released'
			)
		).toBe(false);
	});

	it('issuing a badge tells the learner', async () => {
		const { taskId, criteria } = await publishedTask(db, schoolId, teacher, ['C1.1']);
		const learner = await handIn(taskId, criteria, 'student1');
		await saveTeacherGrade(db, teacher, taskId, learner.id, {
			kind: 'criterion',
			criterionId: criteria[0]!.criterionId,
			value: 72
		});
		await releaseGrades(db, teacher, taskId, learner.id);
		const oralId = (await fusionSkills(db)).find((s) => s.code === 'FS-01')!.id;
		const badgeId = await createBadge(db, await sessionUser(db, 'admin'), {
			name: 'Confident presenter',
			description: 'Presents work clearly.',
			criteriaNarrative: 'Be judged Secure or above.',
			layer: 'demonstrate',
			rule: { kind: 'skill', target: oralId, minBand: 3, minTasks: 1 },
			alignmentItemIds: [oralId]
		});
		await issueBadge(db, teacher, badgeId, learner.id, ORIGIN);
		const awarded = (await notificationsOf(learner.id)).filter((r) => r.kind === 'badge_awarded');
		expect(awarded).toHaveLength(1);
		expect(JSON.parse(awarded[0]!.params_json)).toEqual({ badgeName: 'Confident presenter' });
	});

	it('a save that lost to a newer copy tells its author, and still refuses the save', async () => {
		const { taskId, criteria } = await publishedTask(db, schoolId, teacher, ['C1.1']);
		const learner = await sessionUser(db, 'student1');
		const change = { kind: 'criterion' as const, criterionId: criteria[0]!.criterionId, value: 40 };
		await saveSelfAssessment(db, learner, taskId, { ...change, baseRevision: 0 });
		await saveSelfAssessment(db, learner, taskId, { ...change, value: 45, baseRevision: 1 });
		// The other tab still holds revision 1.
		await expect(
			saveSelfAssessment(db, learner, taskId, { ...change, value: 90, baseRevision: 1 })
		).rejects.toMatchObject({ status: 409 });
		const conflicts = (await notificationsOf(learner.id)).filter((r) => r.kind === 'save_conflict');
		expect(conflicts.map((r) => r.link)).toEqual([`/student/tasks/${taskId}`]);
		expect(conflicts[0]!.read_at).toBeNull();
	});

	it('a learner can tell their teacher about a review of their work, once; the teacher is told', async () => {
		const { taskId, criteria } = await publishedTask(db, schoolId, teacher, ['C1.1'], {
			peerEnabled: 'on',
			peerReviewersPerLearner: '1',
			peerAllocation: 'random'
		});
		const author = await handIn(taskId, criteria, 'student1');
		const reviewer = await handIn(taskId, criteria, 'student2');
		await allocatePeers(db, teacher, taskId, 3);
		const [review] = (await myReviews(db, reviewer)).filter((r) => r.taskId === taskId);
		await savePeerReview(db, reviewer, review!.id, {
			kind: 'criterion',
			criterionId: criteria[0]!.criterionId,
			value: 10,
			comment: 'Rubbish.'
		});
		await submitPeerReview(db, reviewer, review!.id);
		const submission = await db
			.selectFrom('submissions')
			.select('id')
			.where('task_id', '=', taskId)
			.where('learner_id', '=', author.id)
			.executeTakeFirstOrThrow();
		const [mine] = await reviewsOfMyWork(db, submission.id);
		await flagPeerReview(db, author, taskId, mine!.label, 'It was unkind.');
		await expect(flagPeerReview(db, author, taskId, mine!.label, '')).rejects.toMatchObject({
			status: 409
		});
		// Only reviews of one's own work: the reviewer cannot flag the author's review of theirs by label.
		await expect(flagPeerReview(db, reviewer, taskId, 'Reviewer Z', '')).rejects.toMatchObject({
			status: 404
		});
		const flagged = (await notificationsOf(teacher.id)).filter((r) => r.kind === 'review_flagged');
		expect(flagged).toHaveLength(1);
		expect(flagged[0]!.link).toBe(`/teacher/tasks/${taskId}/peers#flagged-reviews`);
		expect(flagged[0]!.params_json).not.toContain('student');
		const stored = await db
			.selectFrom('peer_allocations')
			.select(['flagged_reason'])
			.where('id', '=', review!.id)
			.executeTakeFirstOrThrow();
		expect(stored.flagged_reason).toBe('It was unkind.');
	});
});
