import type { DB } from './connection';
import type { SessionUser } from '../auth/sessions';
import type { Role } from './schema';
import { listBank } from '../criteria/criteria';
import { listScales } from '../scales/scales';
import { createTask, setTaskState } from '../tasks/tasks';
import { addTaskCriterion, taskCriteria } from '../tasks/task-criteria';
import { saveSelfAssessment, submitSelfAssessment } from '../assessment/self-assessment';
import { addEvidence } from '../assessment/evidence';
import { releaseGrades, saveTeacherGrade } from '../assessment/marking';
import { allocatePeers } from '../peer/allocation';
import { savePeerReview, submitPeerReview } from '../peer/reviewing';
import { recordAgreedGrade } from '../moderation/moderation';
import { addMarker } from '../moderation/moderation';
import { createBadge } from '../badges/badges';
import { badgeWorkbench, issueBadge } from '../badges/awards';
import { fusionSkills, capriTree } from '../frameworks/frameworks';
import { seededRandom } from '../../domain/peer-review';
import { taskSettingsSchema } from '../../schemas/tasks';
import { DEMO_SCHOOL_SLUG } from './seed';
import { refreshAggregatesForTasks } from '../profiles/aggregates';

/**
 * A lived-in demo: in each demo class two released tasks with self-assessments, peer reviews,
 * teacher grades, a second marker and agreed grades; a badge per CAPRI category; badges issued
 * (student1 included). And work under way, so a newcomer meets the core loop at once: a task due
 * a few days ago that everyone has handed in, with peer reviews half done (the class's first
 * learner, student1 or student16, has theirs still to do) and most of it ready to mark; and an open
 * task due in a week that some have handed in, some have started and the first learners have not.
 * Made through the same services the app uses, deterministic from a seed; the due dates of the
 * work under way are relative to when the demo is seeded, so it is open whenever it is started.
 */
const TASKS: Record<
	number,
	{ title: string; brief: string; codes: string[]; releasedAt: string }[]
> = {
	0: [
		{
			title: 'Design a product for a client',
			brief: 'Work with a real **client** to design and prototype a product that meets their need.',
			codes: ['C1.1', 'P1.1', 'I1.1', 'R3.2'],
			releasedAt: '2026-10-16T15:00:00Z'
		},
		{
			title: 'Improve a local space',
			brief: 'As a team, investigate a space in school and **propose** how to make it better.',
			codes: ['C3.1', 'A2.1', 'R1.1', 'I4.1'],
			releasedAt: '2026-11-20T15:00:00Z'
		}
	],
	1: [
		{
			title: 'Investigate reaction rates',
			brief: 'Plan and carry out a fair test, then **present** what you found.',
			codes: ['R4.1', 'R3.1', 'C2.1', 'P3.1'],
			releasedAt: '2026-10-09T15:00:00Z'
		},
		{
			title: 'Science in the news',
			brief: 'Pick a science story, check its sources and **explain** it to Year 7.',
			codes: ['R2.1', 'C1.2', 'A3.1', 'P2.1'],
			releasedAt: '2026-11-13T15:00:00Z'
		}
	]
};

/** Work under way in each class: handed in and being reviewed, then open. */
const UNDER_WAY: Record<number, { reviewing: TaskSpec; open: TaskSpec }> = {
	0: {
		reviewing: {
			title: 'Pitch a product to the class',
			brief: 'Pitch your product in **three minutes**, then answer questions from the class.',
			codes: ['C1.1', 'C3.1', 'P1.1', 'A2.1']
		},
		open: {
			title: 'Plan a school event',
			brief: 'Plan a **real event** for the school: a budget, a timeline and who does what.',
			codes: ['P1.1', 'C3.1', 'I1.1']
		}
	},
	1: {
		reviewing: {
			title: 'Plan a fair test on plant growth',
			brief: 'Plan a **fair test** of what helps seeds grow, with the variables you control.',
			codes: ['R4.1', 'R3.1', 'P3.1', 'C2.1']
		},
		open: {
			title: 'Explain a science idea to Year 7',
			brief: 'Make a short explainer of one idea from this term for **Year 7**.',
			codes: ['C1.2', 'R2.1', 'A3.1']
		}
	}
};
type TaskSpec = { title: string; brief: string; codes: string[] };
const DAY_MS = 24 * 60 * 60 * 1000;

const REFLECTIONS = [
	'I worked hard on this and checked it against the descriptions.',
	'I think I did well but I rushed the end.',
	'This was hard for me; next time I will ask for help sooner.',
	'I am proud of this part.'
];
const TEACHER_COMMENTS = [
	'Clear and well organised; keep it up.',
	'Good start: look again at the Secure description for what comes next.',
	'Strong work, with evidence to back it up.',
	'Take more time to check your work against the criteria.'
];
const PEER_COMMENTS = [
	'I liked how clear this was.',
	'Maybe add more detail next time.',
	'Really creative!',
	'The plan was easy to follow.'
];

/** Who a username is, as the services expect a signed-in person (for seeding, acting as them). */
async function sessionUser(db: DB, username: string): Promise<SessionUser> {
	const row = await db
		.selectFrom('users')
		.innerJoin('memberships', 'memberships.user_id', 'users.id')
		.innerJoin('schools', 'schools.id', 'memberships.school_id')
		.select([
			'users.id',
			'users.given_name',
			'users.family_name',
			'memberships.school_id',
			'memberships.role',
			'schools.name'
		])
		.where('users.username', '=', username)
		.executeTakeFirstOrThrow();
	return {
		id: row.id,
		username,
		givenName: row.given_name,
		familyName: row.family_name,
		city: null,
		schoolId: row.school_id,
		schoolName: row.name,
		roles: [row.role as Role],
		mustChangePassword: false
	};
}

const clamp = (v: number) => Math.max(0, Math.min(100, Math.round(v)));

export async function seedDemoActivity(db: DB, origin: string, seed = 2026): Promise<void> {
	const random = seededRandom(seed);
	const random2 = seededRandom(seed + 1);
	const school = await db
		.selectFrom('schools')
		.select('id')
		.where('slug', '=', DEMO_SCHOOL_SLUG)
		.executeTakeFirstOrThrow();
	const admin = await sessionUser(db, 'admin');
	const bank = await listBank(db, school.id);
	const scale = (await listScales(db, school.id)).find((s) => s.name.startsWith('School scale'))!;
	const classes = await db
		.selectFrom('classes')
		.select(['id', 'name'])
		.where('school_id', '=', school.id)
		.orderBy('id')
		.limit(2)
		.execute();

	async function publishTask(
		teacher: SessionUser,
		classId: number,
		spec: TaskSpec,
		options: { peer: boolean; dueAt?: string }
	) {
		const taskId = await createTask(
			db,
			teacher,
			classId,
			taskSettingsSchema.parse({
				title: spec.title,
				brief: spec.brief,
				dueAt: options.dueAt ?? '',
				scaleId: scale.id,
				selfMarkerVisibility: 'always',
				selfRequiredBeforeRelease: 'on',
				...(options.peer
					? { peerEnabled: 'on', peerReviewersPerLearner: '2', peerAllocation: 'random' }
					: {})
			})
		);
		for (const code of spec.codes) {
			const criterion = bank.find((c) => c.code === code && c.scaleId === scale.id);
			if (criterion) await addTaskCriterion(db, teacher, taskId, criterion.id);
		}
		await setTaskState(db, teacher, taskId, 'published');
		return taskId;
	}

	for (const [classIndex, schoolClass] of classes.entries()) {
		const teacherRow = await db
			.selectFrom('class_teachers')
			.innerJoin('users', 'users.id', 'class_teachers.teacher_id')
			.select('users.username')
			.where('class_teachers.class_id', '=', schoolClass.id)
			.executeTakeFirstOrThrow();
		const teacher = await sessionUser(db, teacherRow.username);
		const learners = await db
			.selectFrom('enrolments')
			.innerJoin('users', 'users.id', 'enrolments.learner_id')
			.select('users.username')
			.where('enrolments.class_id', '=', schoolClass.id)
			.orderBy('users.id')
			.execute();
		// Each learner has a steady underlying level and a habit of judging themself a little high or
		// low.
		const profiles = new Map(
			learners.map((l) => [
				l.username,
				{ level: l.username === 'student1' ? 78 : 35 + random() * 45, bias: (random() - 0.4) * 30 }
			])
		);
		for (const [taskIndex, spec] of TASKS[classIndex]!.entries()) {
			const taskId = await publishTask(teacher, schoolClass.id, spec, { peer: true });
			const criteria = await taskCriteria(db, taskId);
			const growth = taskIndex * 6;

			for (const { username } of learners) {
				const learner = await sessionUser(db, username);
				const { level, bias } = profiles.get(username)!;
				for (const c of criteria) {
					await saveSelfAssessment(db, learner, taskId, {
						kind: 'criterion',
						criterionId: c.criterionId,
						value: clamp(level + growth + bias * (1 - taskIndex * 0.4) + (random() - 0.5) * 14),
						comment: REFLECTIONS[Math.floor(random() * REFLECTIONS.length)]!
					});
				}
				await saveSelfAssessment(db, learner, taskId, {
					kind: 'reflection',
					text: 'I learned a lot from this task and know what to work on next.'
				});
				await addEvidence(db, learner, taskId, {
					kind: 'text',
					title: 'What I made',
					body: `My work for “${spec.title}”, with notes on what I changed after feedback.`
				});
				await submitSelfAssessment(db, learner, taskId);
			}

			await allocatePeers(db, teacher, taskId, seed + taskId);
			const allocations = await db
				.selectFrom('peer_allocations')
				.innerJoin('submissions', 'submissions.id', 'peer_allocations.submission_id')
				.innerJoin('users as reviewer', 'reviewer.id', 'peer_allocations.reviewer_id')
				.innerJoin('users as reviewee', 'reviewee.id', 'submissions.learner_id')
				.select([
					'peer_allocations.id',
					'reviewer.username as reviewer',
					'reviewee.username as reviewee'
				])
				.where('peer_allocations.task_id', '=', taskId)
				.execute();
			for (const allocation of allocations) {
				const reviewer = await sessionUser(db, allocation.reviewer);
				const { level } = profiles.get(allocation.reviewee)!;
				for (const c of criteria) {
					await savePeerReview(db, reviewer, allocation.id, {
						kind: 'criterion',
						criterionId: c.criterionId,
						value: clamp(level + growth + (random() - 0.45) * 22),
						comment: PEER_COMMENTS[Math.floor(random() * PEER_COMMENTS.length)]!
					});
				}
				await submitPeerReview(db, reviewer, allocation.id);
			}

			for (const { username } of learners) {
				const learner = await sessionUser(db, username);
				const { level } = profiles.get(username)!;
				for (const c of criteria) {
					await saveTeacherGrade(db, teacher, taskId, learner.id, {
						kind: 'criterion',
						criterionId: c.criterionId,
						value: clamp(level + growth + (random() - 0.5) * 12),
						comment: TEACHER_COMMENTS[Math.floor(random() * TEACHER_COMMENTS.length)]!
					});
				}
				await saveTeacherGrade(db, teacher, taskId, learner.id, {
					kind: 'overall',
					text: 'Well done on this task. Talk to me about your next steps.'
				});
			}

			// Moderation: a second marker on the first task, and agreed grades where the markers differed.
			if (taskIndex === 0) {
				const other = await sessionUser(db, classIndex === 0 ? 'teacher2' : 'teacher');
				await addMarker(db, teacher, taskId, other.id);
				for (const { username } of learners.slice(0, 4)) {
					const learner = await sessionUser(db, username);
					const { level } = profiles.get(username)!;
					await saveTeacherGrade(db, other, taskId, learner.id, {
						kind: 'criterion',
						criterionId: criteria[0]!.criterionId,
						value: clamp(level + 14)
					});
					await recordAgreedGrade(
						db,
						teacher,
						taskId,
						learner.id,
						criteria[0]!.criterionId,
						clamp(level + 6),
						'Agreed at the department moderation meeting.'
					);
				}
			}
			await releaseGrades(db, teacher, taskId, 'all');
			// Spread the releases over the autumn so profiles show change over time.
			await db
				.updateTable('submissions')
				.set({ released_at: spec.releasedAt })
				.where('task_id', '=', taskId)
				.execute();
			// The release dates moved terms: the totals by term follow.
			await refreshAggregatesForTasks(db, [taskId]);
		}

		// Work under way. Its own generator, so the released work above stays as it always was.
		const now = Date.now();
		const underWay = UNDER_WAY[classIndex]!;
		const reviewing = await publishTask(teacher, schoolClass.id, underWay.reviewing, {
			peer: true,
			dueAt: new Date(now - 3 * DAY_MS).toISOString()
		});
		const open = await publishTask(teacher, schoolClass.id, underWay.open, {
			peer: false,
			dueAt: new Date(now + 7 * DAY_MS).toISOString()
		});
		/** A learner's own judgements on a task: every criterion, or only the first (started). */
		const selfAssess = async (username: string, taskId: number, hand: 'in' | 'started') => {
			const learner = await sessionUser(db, username);
			const { level, bias } = profiles.get(username)!;
			const criteria = await taskCriteria(db, taskId);
			for (const c of hand === 'in' ? criteria : criteria.slice(0, 1))
				await saveSelfAssessment(db, learner, taskId, {
					kind: 'criterion',
					criterionId: c.criterionId,
					value: clamp(level + 12 + bias * 0.2 + (random2() - 0.5) * 14),
					comment: REFLECTIONS[Math.floor(random2() * REFLECTIONS.length)]!
				});
			if (hand === 'started') return;
			await addEvidence(db, learner, taskId, {
				kind: 'text',
				title: 'What I made',
				body: 'My plan, my notes and what I would change next time.'
			});
			await submitSelfAssessment(db, learner, taskId);
		};
		for (const { username } of learners) await selfAssess(username, reviewing, 'in');
		await allocatePeers(db, teacher, reviewing, seed + reviewing);
		const reviewingCriteria = await taskCriteria(db, reviewing);
		const reviews = await db
			.selectFrom('peer_allocations')
			.innerJoin('submissions', 'submissions.id', 'peer_allocations.submission_id')
			.innerJoin('users as reviewer', 'reviewer.id', 'peer_allocations.reviewer_id')
			.innerJoin('users as reviewee', 'reviewee.id', 'submissions.learner_id')
			.select([
				'peer_allocations.id',
				'reviewer.username as reviewer',
				'reviewee.username as reviewee'
			])
			.where('peer_allocations.task_id', '=', reviewing)
			.orderBy('peer_allocations.id')
			.execute();
		// Every other learner has done their reviews; the first learner (student1, student16) has
		// theirs still to do.
		const reviewsDone = new Set(learners.filter((_, i) => i % 2 === 1).map((l) => l.username));
		for (const allocation of reviews) {
			if (!reviewsDone.has(allocation.reviewer)) continue;
			const reviewer = await sessionUser(db, allocation.reviewer);
			const { level } = profiles.get(allocation.reviewee)!;
			for (const c of reviewingCriteria)
				await savePeerReview(db, reviewer, allocation.id, {
					kind: 'criterion',
					criterionId: c.criterionId,
					value: clamp(level + 12 + (random2() - 0.45) * 22),
					comment: PEER_COMMENTS[Math.floor(random2() * PEER_COMMENTS.length)]!
				});
			await submitPeerReview(db, reviewer, allocation.id);
		}
		// The teacher has marked three; the rest are ready to mark.
		for (const { username } of learners.slice(1, 4)) {
			const learner = await sessionUser(db, username);
			const { level } = profiles.get(username)!;
			for (const c of reviewingCriteria)
				await saveTeacherGrade(db, teacher, reviewing, learner.id, {
					kind: 'criterion',
					criterionId: c.criterionId,
					value: clamp(level + 12 + (random2() - 0.5) * 12),
					comment: TEACHER_COMMENTS[Math.floor(random2() * TEACHER_COMMENTS.length)]!
				});
		}
		// The open task: the second half of the class has handed in (ready to mark too), a few have
		// started, and the first learners have not begun.
		for (const [i, { username }] of learners.entries()) {
			if (i >= Math.ceil(learners.length / 2)) await selfAssess(username, open, 'in');
			else if (i >= 3) await selfAssess(username, open, 'started');
		}
	}

	// One badge per CAPRI category, each proposing learners who were Secure or above in it.
	const [skills, capri] = await Promise.all([fusionSkills(db), capriTree(db)]);
	const byCode = new Map(skills.map((s) => [s.code, s.id]));
	const BADGES = [
		{
			code: 'C',
			name: 'Clear communicator',
			layer: 'demonstrate' as const,
			skills: ['FS-01', 'FS-07'],
			text: 'Communicates ideas clearly, aloud and in writing.'
		},
		{
			code: 'A',
			name: 'Resilient learner',
			layer: 'participate' as const,
			skills: ['FS-10', 'FS-06'],
			text: 'Keeps going when things get hard and adapts to change.'
		},
		{
			code: 'P',
			name: 'Organised maker',
			layer: 'demonstrate' as const,
			skills: ['FS-05', 'FS-08'],
			text: 'Plans, organises and works independently to finish well.'
		},
		{
			code: 'R',
			name: 'Critical thinker',
			layer: 'lead' as const,
			skills: ['FS-09', 'FS-12', 'FS-04'],
			text: 'Questions, analyses and evaluates evidence to solve problems.'
		},
		{
			code: 'I',
			name: 'Creative innovator',
			layer: 'engage' as const,
			skills: ['FS-11', 'FS-03'],
			text: 'Generates original ideas and takes the initiative to apply them.'
		}
	];
	for (const b of BADGES) {
		const category = capri.find((c) => c.code === b.code)!;
		await createBadge(db, admin, {
			name: b.name,
			description: b.text,
			criteriaNarrative: `${b.text} Shown in assessed tasks and confirmed by a teacher.`,
			layer: b.layer,
			rule: { kind: 'capri', target: b.code, minBand: 3, minTasks: 1 },
			alignmentItemIds: [category.id, ...b.skills.map((code) => byCode.get(code)!).filter(Boolean)]
		});
	}
	const student1 = await sessionUser(db, 'student1');
	for (const username of ['teacher', 'teacher2']) {
		const teacher = await sessionUser(db, username);
		const { proposals } = await badgeWorkbench(db, teacher);
		// All of student1's, then a handful more, so the demo has badges without everyone having all.
		const chosen = [
			...proposals.filter((p) => p.learnerId === student1.id),
			...proposals.filter((p) => p.learnerId !== student1.id).slice(0, 8)
		];
		for (const proposal of chosen)
			await issueBadge(db, teacher, proposal.badgeId, proposal.learnerId, origin);
	}
}
