import { containsIgnoringCase, purgeDeletedRows } from '../db/dialect';
import { randomBytes } from 'node:crypto';
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/connection';
import type { Database } from '../db/schema';
import { chunks } from '../db/chunks';
import { deleteExportsContaining } from '../reports/batch';
import type { SessionUser } from '../auth/sessions';
import { learnerCards } from '../auth/sign-in-cards';
import { hashPassword } from '../auth/passwords';
import { recordAudit } from '../audit';
import { uploadsDirectory } from '../assessment/evidence';
import { nowIso } from '../clock';
import { Refusal } from '../errors';
import { jsonOrUndefined } from '../http';
import { revokeStatusEntries } from '../badges/status-lists';
import { effectiveDates, extensionJoin } from '../tasks/effective-dates';
import { refreshLearnerSkillAggregates } from '../profiles/aggregates';

async function requireLearnerOfSchool(db: DB, admin: SessionUser, learnerId: number) {
	const learner = await db
		.selectFrom('users')
		.innerJoin('memberships', 'memberships.user_id', 'users.id')
		.select([
			'users.id',
			'users.username',
			'users.given_name',
			'users.family_name',
			'users.email',
			'users.badge_email',
			'users.badge_email_choice',
			'users.email_notifications',
			'users.active',
			'users.source_id',
			'users.created_at',
			'users.password_changed_at',
			'memberships.year_group'
		])
		.where('users.id', '=', learnerId)
		.where('memberships.school_id', '=', admin.schoolId)
		.where('memberships.role', '=', 'student')
		.executeTakeFirst();
	if (!learner) throw new Refusal('That learner is not in your school.', 404);
	return learner;
}

/**
 * What the export holds, table by table (src/lib/server/db/schema.ts), as its README says. A test
 * checks every table of the schema is named here, so a new table cannot be forgotten.
 */
export const EXPORT_README_TABLES: Record<string, string> = {
	schools: 'account.school: the school that holds the data.',
	users:
		'account: username, names, email, the e-mail their Open Badges 2.0 badges use (badge_email_choice: the school address, their own badge_email, or none), what they chose to be e-mailed (email_notifications: none, each, daily; empty: the default), whether the account is active, roster id, when it was made and when its password last changed (never the password or its hash).',
	memberships: 'account.roles: role and year group in the school, and since when.',
	sessions:
		'signIns.sessions: when each signed-in session began, when it expires and how it began (a password or a sign-in card; never the token).',
	sign_in_cards:
		'signIns.cards: each printed sign-in card: when it was issued, until when it worked, and when it was used or replaced by a newer card (never its link or code).',
	login_attempts:
		'signIns.attempts: each sign-in attempt with this username: when, from which address, and whether it succeeded.',
	classes: 'classes: the classes they learn in (name, subject, year group).',
	enrolments: 'classes: when they joined each class.',
	class_teachers: 'Not included: who teaches a class is about the teachers.',
	frameworks:
		'Not included: the shared skill frameworks hold nothing about a learner (skill codes label the judgements).',
	framework_items: 'Not included: as frameworks.',
	crosswalk_weights: 'Not included: as frameworks.',
	framework_associations: 'Not included: as frameworks.',
	grade_scales: 'Not included: scales hold nothing about a learner.',
	grade_bands: 'Not included: as grade scales.',
	criteria: 'work[].judgements[].criterion: the code and title of each criterion judged.',
	criterion_band_descriptors: 'Not included: descriptors hold nothing about a learner.',
	criterion_skill_weights: 'Not included: weights hold nothing about a learner.',
	tasks:
		'work[].task, peerReviewsGiven[].task, and wherever a task is named: its title and due date.',
	task_criteria: 'Not included: which criteria a task has holds nothing about a learner.',
	task_groups: 'groups: the groups they were in for group tasks (task and group name).',
	task_group_members: 'groups: as task_groups.',
	submissions:
		'work: per task, their self-assessment state, when they submitted, their overall reflection, the teacher’s overall comment and when results were released.',
	evidence:
		'work[].evidence: each piece of evidence (text, link or file); uploaded files are in files/.',
	assessments:
		'work[].judgements: every judgement of their work (their own, peers’ as “Reviewer A…”, teachers’), with value and comment; peerReviewsGiven: every judgement they gave as a peer reviewer, with the task it belongs to.',
	peer_allocations:
		'work[].peerReviews: who reviewed their work, as anonymous labels only, each review’s state, and when and why they told their teacher about one; peerReviewsGiven: the reviews they were asked to do (task, state, whether a teacher set it aside and why).',
	contribution_ratings:
		'contributionRatings: group-work ratings they gave (of whom, in their own group) and received (anonymous: from a group member), per task.',
	task_markers: 'Not included: who marks a task is about the teachers.',
	agreed_grades:
		'work[].agreedGrades: the grade teachers agreed in moderation, per criterion, with its note and date.',
	comment_bank:
		'Not included: a teacher’s saved comments are about no learner (those used on their work are in work[].judgements).',
	live_sessions:
		'liveSessionPlacements: the exemplar and criterion of each in-class session they joined.',
	live_placements: 'liveSessionPlacements: where they placed the exemplar, and when.',
	audit_log:
		'auditLog: entries about their account, work, evidence, peer reviews and badges, or made by them: what was done, when, and what changed.',
	signing_keys: 'Not included: the school’s signing keys hold nothing about a learner.',
	server_secrets:
		'Not included: the server’s own keys (device cookies) hold nothing about a learner.',
	setup_tokens: 'Not included: one-time set-up links (their hashes) hold nothing about a learner.',
	badges: 'badges[].name: the name of each badge.',
	badge_alignments: 'Not included: which skills a badge stands for holds nothing about a learner.',
	badge_awards:
		'badges: every badge asked for, issued, declined (and when) or revoked: their request note, the name and evidence shown publicly and their choices for it, the private key of the credential’s hashed name, the signed credential and the OB 2.0 assertion.',
	erased_awards: 'Not included: only identifiers of erased badges, of no living learner.',
	status_lists:
		'Not included: the school’s signed revocation lists are bits only, public, and say nothing about who holds which credential.',
	status_list_entries:
		'Not included: which revocation indices are in use and whether each is revoked; nothing links them to a learner but the credential itself.',
	export_jobs:
		'batchExports: the batch report exports of the school or their class that include their report (when made, by whom and their state; the files themselves are not copied).',
	export_job_learners:
		'batchExports: which batch exports hold their report (the same list as export_jobs above).',
	roster_handouts:
		'Not included: a one-time password from a roster import is kept, encrypted, for at most an hour for the admin who ran it to print on a sign-in slip; it is a secret, so it is not copied, and erasing a learner deletes it.',
	jobs: 'Not included: scheduled work (reminders, e-mails) names tasks and notifications by number only.',
	notifications:
		'notifications: what the service told them in its notification centre (what, when, and whether they read it).',
	sign_in_providers:
		'Not included: the school’s single sign-on providers (their addresses and sealed secrets) are the school’s settings, not about a learner.',
	sign_in_identities:
		'signInIdentities: which school sign-in provider account (its subject identifier) signs them in, and since when; erasing a learner deletes the link.',
	sign_in_attempts:
		'Not included: a single sign-on under way (for ten minutes at most) names no person until it completes.',
	task_extensions:
		'extensions: the tasks on which a teacher gave them their own due date or peer window, with when and why (the teacher who granted it is not named); submissions.taskDueAt is their own due date.',
	city_moderation_rounds:
		'Not included: a city’s cross-school moderation rounds (title, criteria, seed) hold nothing about a learner.',
	city_moderation_round_schools: 'Not included: as city_moderation_rounds.',
	city_moderation_moderators: 'Not included: who moderates a round is about the teachers.',
	city_moderation_samples:
		'work[].crossSchoolModeration: whether their work was drawn for cross-school moderation (through its marks below).',
	city_moderation_marks:
		'work[].crossSchoolModeration: each blind mark a teacher of another school gave their work, per criterion, with when (the moderator is not named; it is no grade of theirs).',
	cities: 'Not included: the city (or trust) a school belongs to holds nothing about a learner.',
	city_admins: 'Not included: who administers a city is about those admins.',
	city_criteria:
		'Not included: criteria a city shares with its schools hold nothing about a learner (a judgement names the school’s copy, in results).',
	city_task_templates: 'Not included: task templates a city shares hold nothing about a learner.',
	city_task_template_criteria: 'Not included: as city task templates.',
	city_badges:
		'Not included: badges a city defines hold nothing about a learner (an award names the school’s copy, in badges).',
	work_counts:
		'recentWork: when they recently had the server make a PDF report or tried a live-session code (kept only while a limit on repeated work counts it: ten minutes to an hour).',
	learner_skill_aggregates:
		'Not included: running totals of their released results per Fusion Skill, worked out from the work[] above so reports need not read every grade; erasing a learner deletes them.',
	learner_term_skill_aggregates:
		'Not included: the same running totals per school term, worked out from the work[] above; erasing a learner deletes them.',
	report_group_members:
		'Not included: which year group and classes they are counted in for the school report, worked out from account.roles and their classes; erasing a learner deletes it.',
	report_group_sizes:
		'Not included: how many learners each class and year group has, for the school report (no names).',
	report_group_totals:
		'Not included: sums per class and year group and skill of the totals above (and of the same read in Skills Builder and the OECD Learning Compass), for the school report (no names).'
};

function exportReadme(learnerLabel: string, exportedAt: string) {
	const lines = [
		`Everything the school's Fusion Skills service holds about ${learnerLabel}, exported ${exportedAt}.`,
		'',
		'Files',
		'  README.txt   this file',
		'  data.json    everything held, in sections (listed below by the table it comes from)',
		'  files/       the files they uploaded as evidence, named by evidence id and file name',
		'',
		'What each table of the database contributes'
	];
	for (const [table, text] of Object.entries(EXPORT_README_TABLES))
		lines.push(`  ${table.padEnd(28)} ${text}`);
	lines.push(
		'',
		'Other people are named only where the learner already knows them (their teachers are shown as',
		'"teacher"; peer reviewers as "Reviewer A", "Reviewer B" …; group members they rated by name).'
	);
	return lines.join('\n') + '\n';
}

/**
 * Everything held about one learner, for a subject access request: a README naming what each table
 * contributes, data.json with every section, and their uploaded files. Other learners appear only
 * anonymously (reviewers as "Reviewer A"); teachers as "teacher".
 */
export async function exportLearnerData(
	db: DB,
	admin: SessionUser,
	learnerId: number
): Promise<Uint8Array> {
	const learner = await requireLearnerOfSchool(db, admin, learnerId);
	const submissions = await db
		.selectFrom('submissions')
		.innerJoin('tasks', 'tasks.id', 'submissions.task_id')
		.leftJoin('task_extensions', extensionJoin('submissions.learner_id'))
		.select([
			'submissions.id',
			'submissions.task_id',
			'tasks.title as task',
			effectiveDates.dueAt.as('taskDueAt'),
			'submissions.self_state',
			'submissions.self_submitted_at',
			'submissions.overall_reflection',
			'submissions.teacher_overall_comment',
			'submissions.released_at',
			'submissions.updated_at'
		])
		.where('submissions.learner_id', '=', learnerId)
		.execute();
	const ids = submissions.map((s) => s.id);
	const none = ids.length === 0;
	const [
		school,
		roles,
		sessions,
		attempts,
		classes,
		groups,
		judgements,
		labels,
		evidence,
		agreed,
		crossSchoolMarks,
		reviewsAsked,
		reviewsGiven,
		ratings,
		placements,
		badges,
		exports,
		recentWork,
		notifications,
		cards,
		signInIdentities,
		extensions
	] = await Promise.all([
		db
			.selectFrom('schools')
			.select(['name', 'slug'])
			.where('id', '=', admin.schoolId)
			.executeTakeFirstOrThrow(),
		db
			.selectFrom('memberships')
			.select(['role', 'year_group', 'created_at'])
			.where('user_id', '=', learnerId)
			.where('school_id', '=', admin.schoolId)
			.execute(),
		db
			.selectFrom('sessions')
			.select(['created_at', 'expires_at', 'sign_in_method'])
			.where('user_id', '=', learnerId)
			.execute(),
		db
			.selectFrom('login_attempts')
			.selectAll()
			.where(sql`lower(username)`, '=', learner.username.toLowerCase())
			.execute(),
		db
			.selectFrom('enrolments')
			.innerJoin('classes', 'classes.id', 'enrolments.class_id')
			.select([
				'classes.name',
				'classes.subject',
				'classes.year_group',
				'enrolments.created_at as enrolledAt'
			])
			.where('enrolments.learner_id', '=', learnerId)
			.execute(),
		db
			.selectFrom('task_group_members')
			.innerJoin('task_groups', 'task_groups.id', 'task_group_members.group_id')
			.innerJoin('tasks', 'tasks.id', 'task_groups.task_id')
			.select(['tasks.title as task', 'task_groups.name as group'])
			.where('task_group_members.learner_id', '=', learnerId)
			.execute(),
		none
			? []
			: db
					.selectFrom('assessments')
					.innerJoin('criteria', 'criteria.id', 'assessments.criterion_id')
					.select([
						'assessments.submission_id',
						'criteria.code',
						'criteria.title as criterion',
						'assessments.role',
						'assessments.assessor_id',
						'assessments.value',
						'assessments.comment',
						'assessments.updated_at',
						'assessments.submitted_at'
					])
					.where('assessments.submission_id', 'in', ids)
					.execute(),
		none
			? []
			: db
					.selectFrom('peer_allocations')
					.select([
						'submission_id',
						'reviewer_id',
						'anonymous_label',
						'state',
						'submitted_at',
						'excluded_at',
						'flagged_at',
						'flagged_reason'
					])
					.where('submission_id', 'in', ids)
					.execute(),
		none ? [] : db.selectFrom('evidence').selectAll().where('submission_id', 'in', ids).execute(),
		none
			? []
			: db
					.selectFrom('agreed_grades')
					.innerJoin('criteria', 'criteria.id', 'agreed_grades.criterion_id')
					.select([
						'agreed_grades.submission_id',
						'criteria.code',
						'criteria.title as criterion',
						'agreed_grades.value',
						'agreed_grades.note',
						'agreed_grades.agreed_at'
					])
					.where('agreed_grades.submission_id', 'in', ids)
					.execute(),
		none
			? []
			: db
					.selectFrom('city_moderation_marks')
					.innerJoin(
						'city_moderation_samples',
						'city_moderation_samples.id',
						'city_moderation_marks.sample_id'
					)
					.innerJoin('criteria', 'criteria.id', 'city_moderation_marks.criterion_id')
					.select([
						'city_moderation_samples.submission_id',
						'criteria.code',
						'criteria.title as criterion',
						'city_moderation_marks.value',
						'city_moderation_marks.updated_at'
					])
					.where('city_moderation_samples.submission_id', 'in', ids)
					.orderBy('city_moderation_marks.sample_id')
					.orderBy('criteria.code')
					.execute(),
		db
			.selectFrom('peer_allocations')
			.innerJoin('tasks', 'tasks.id', 'peer_allocations.task_id')
			.select([
				'peer_allocations.submission_id',
				'tasks.title as task',
				'peer_allocations.anonymous_label as reviewedAs',
				'peer_allocations.state',
				'peer_allocations.created_at as askedAt',
				'peer_allocations.submitted_at',
				'peer_allocations.excluded_at',
				'peer_allocations.excluded_reason'
			])
			.where('peer_allocations.reviewer_id', '=', learnerId)
			.execute(),
		db
			.selectFrom('assessments')
			.innerJoin('criteria', 'criteria.id', 'assessments.criterion_id')
			.innerJoin('submissions', 'submissions.id', 'assessments.submission_id')
			.innerJoin('tasks', 'tasks.id', 'submissions.task_id')
			.select([
				'assessments.submission_id',
				'tasks.title as task',
				'criteria.code',
				'criteria.title as criterion',
				'assessments.value',
				'assessments.comment',
				'assessments.updated_at',
				'assessments.submitted_at'
			])
			.where('assessments.assessor_id', '=', learnerId)
			.where('assessments.role', '=', 'peer')
			.execute(),
		db
			.selectFrom('contribution_ratings')
			.innerJoin('tasks', 'tasks.id', 'contribution_ratings.task_id')
			.innerJoin('task_groups', 'task_groups.id', 'contribution_ratings.group_id')
			.innerJoin('users as ratee', 'ratee.id', 'contribution_ratings.ratee_id')
			.select([
				'tasks.title as task',
				'task_groups.name as group',
				'contribution_ratings.rater_id',
				'contribution_ratings.ratee_id',
				'ratee.given_name as rateeGivenName',
				'ratee.family_name as rateeFamilyName',
				'contribution_ratings.rating',
				'contribution_ratings.submitted_at',
				'contribution_ratings.updated_at'
			])
			.where((eb) =>
				eb.or([
					eb('contribution_ratings.rater_id', '=', learnerId),
					eb('contribution_ratings.ratee_id', '=', learnerId)
				])
			)
			.execute(),
		db
			.selectFrom('live_placements')
			.innerJoin('live_sessions', 'live_sessions.id', 'live_placements.session_id')
			.innerJoin('criteria', 'criteria.id', 'live_sessions.criterion_id')
			.select([
				'live_sessions.exemplar_title as exemplar',
				'criteria.code',
				'live_sessions.started_at',
				'live_placements.value',
				'live_placements.updated_at'
			])
			.where('live_placements.learner_id', '=', learnerId)
			.execute(),
		db
			.selectFrom('badge_awards')
			.innerJoin('badges', 'badges.id', 'badge_awards.badge_id')
			.select([
				'badges.name',
				'badge_awards.identifier',
				'badge_awards.state',
				'badge_awards.request_note as requestNote',
				'badge_awards.created_at as askedOrProposedAt',
				'badge_awards.issued_at',
				'badge_awards.declined_at',
				'badge_awards.revoked_at',
				'badge_awards.revocation_reason',
				'badge_awards.recipient_name as publicName',
				'badge_awards.show_own_words',
				'badge_awards.show_teacher_comments',
				'badge_awards.identity_salt as identityKey',
				'badge_awards.evidence_json',
				'badge_awards.credential_json',
				'badge_awards.ob2_assertion_json'
			])
			.where('badge_awards.learner_id', '=', learnerId)
			.execute(),
		db
			.selectFrom('export_jobs')
			.select(['id', 'kind', 'params_json', 'state', 'created_at', 'finished_at'])
			.where('school_id', '=', admin.schoolId)
			.execute(),
		db
			.selectFrom('work_counts')
			.select(['action', 'at'])
			.where('user_id', '=', learnerId)
			.orderBy('at')
			.execute(),
		db
			.selectFrom('notifications')
			.select(['kind', 'params_json', 'link', 'created_at', 'read_at', 'emailed_at'])
			.where('user_id', '=', learnerId)
			.orderBy('id')
			.execute(),
		learnerCards(db, learnerId),
		db
			.selectFrom('sign_in_identities')
			.innerJoin('sign_in_providers', 'sign_in_providers.id', 'sign_in_identities.provider_id')
			.select([
				'sign_in_providers.label as provider',
				'sign_in_identities.subject',
				'sign_in_identities.created_at'
			])
			.where('sign_in_identities.user_id', '=', learnerId)
			.execute(),
		db
			.selectFrom('task_extensions')
			.innerJoin('tasks', 'tasks.id', 'task_extensions.task_id')
			.select([
				'task_extensions.task_id',
				'tasks.title as task',
				'task_extensions.due_at',
				'task_extensions.peer_opens_at',
				'task_extensions.peer_closes_at',
				'task_extensions.reason',
				'task_extensions.granted_at'
			])
			.where('task_extensions.learner_id', '=', learnerId)
			.orderBy('task_extensions.task_id')
			.execute()
	]);
	const evidenceIds = evidence.map((e) => String(e.id));
	const allocationIds = (
		await db
			.selectFrom('peer_allocations')
			.select('id')
			.where((eb) =>
				eb.or([
					eb('reviewer_id', '=', learnerId),
					...(none ? [] : [eb('submission_id', 'in', ids)])
				])
			)
			.execute()
	).map((a) => String(a.id));
	const audit = await db
		.selectFrom('audit_log')
		.select([
			'action',
			'entity_type',
			'entity_id',
			'before_json',
			'after_json',
			'reason',
			'created_at'
		])
		.where('school_id', '=', admin.schoolId)
		.where((eb) =>
			eb.or([
				eb('actor_id', '=', learnerId),
				eb.and([eb('entity_type', '=', 'user'), eb('entity_id', '=', String(learnerId))]),
				...(
					[
						['submission', ids.map(String)],
						['evidence', evidenceIds],
						['peer_allocation', allocationIds],
						['badge_award', badges.map((b) => b.identifier)]
					] as const
				)
					.filter(([, list]) => list.length)
					.map(([type, list]) =>
						eb.and([eb('entity_type', '=', type), eb('entity_id', 'in', [...list])])
					)
			])
		)
		.orderBy('created_at')
		.execute();
	const classIds = new Set(
		(
			await db
				.selectFrom('enrolments')
				.select('class_id')
				.where('learner_id', '=', learnerId)
				.execute()
		).map((e) => e.class_id)
	);
	const peerLabel = (submissionId: number, assessorId: number) =>
		labels.find((l) => l.submission_id === submissionId && l.reviewer_id === assessorId)
			?.anonymous_label ?? 'Reviewer';
	const parse = (json: string | null) => (json ? JSON.parse(json) : null);
	const exportedAt = nowIso();
	const data = {
		exportedAt,
		exportedBy: admin.username,
		readme: 'README.txt says what each section holds and which table it comes from.',
		account: {
			...learner,
			active: learner.active === 1,
			school: school.name,
			roles
		},
		signIns: {
			sessions,
			cards,
			attempts: attempts.map(({ id: _, ...a }) => ({ ...a, succeeded: a.succeeded === 1 }))
		},
		classes,
		groups,
		work: submissions.map(({ task_id: _, ...s }) => ({
			...s,
			judgements: judgements
				.filter((j) => j.submission_id === s.id)
				.map(({ submission_id: _, assessor_id, ...j }) => ({
					...j,
					by:
						j.role === 'self' ? 'you' : j.role === 'peer' ? peerLabel(s.id, assessor_id) : 'teacher'
				})),
			agreedGrades: agreed
				.filter((a) => a.submission_id === s.id)
				.map(({ submission_id: _, ...a }) => ({ ...a, by: 'teachers (moderation)' })),
			crossSchoolModeration: crossSchoolMarks
				.filter((m) => m.submission_id === s.id)
				.map(({ submission_id: _, ...m }) => ({ ...m, by: 'a teacher of another school (blind)' })),
			peerReviews: labels
				.filter((l) => l.submission_id === s.id)
				.map((l) => ({
					reviewer: l.anonymous_label,
					state: l.state,
					submittedAt: l.submitted_at,
					setAsideByTeacher: l.excluded_at !== null,
					toldTeacherAt: l.flagged_at,
					toldTeacherWhy: l.flagged_reason
				})),
			evidence: evidence
				.filter((e) => e.submission_id === s.id)
				.map((e) => ({
					kind: e.kind,
					title: e.title,
					body: e.body,
					url: e.url,
					file: e.storage_key ? `files/${e.id}-${e.file_name}` : null,
					createdAt: e.created_at
				}))
		})),
		peerReviewsGiven: reviewsAsked.map(({ submission_id, ...review }) => ({
			...review,
			judgements: reviewsGiven
				.filter((r) => r.submission_id === submission_id)
				.map(({ submission_id: _, task: __, ...r }) => r)
		})),
		contributionRatings: ratings.map((r) => ({
			task: r.task,
			group: r.group,
			direction:
				r.rater_id === learnerId ? (r.ratee_id === learnerId ? 'self' : 'given') : 'received',
			about:
				r.rater_id === learnerId && r.ratee_id !== learnerId
					? `${r.rateeGivenName} ${r.rateeFamilyName}`
					: r.ratee_id === learnerId && r.rater_id === learnerId
						? 'you'
						: 'you (from a group member)',
			rating: r.rating,
			submittedAt: r.submitted_at,
			updatedAt: r.updated_at
		})),
		liveSessionPlacements: placements,
		badges: badges.map(
			({
				evidence_json,
				credential_json,
				ob2_assertion_json,
				show_own_words,
				show_teacher_comments,
				...b
			}) => ({
				...b,
				publicPageShows: {
					ownWords: show_own_words === 1,
					teacherComments: show_teacher_comments === 1
				},
				evidence: parse(evidence_json),
				credential: parse(credential_json),
				ob2Assertion: parse(ob2_assertion_json)
			})
		),
		batchExports: exports
			.filter((job) => {
				const scope = JSON.parse(job.params_json) as { classId?: number };
				return scope.classId === undefined || classIds.has(scope.classId);
			})
			.map(({ params_json, ...job }) => ({ ...job, scope: JSON.parse(params_json) })),
		recentWork,
		notifications: notifications.map(({ params_json, ...notification }) => ({
			...notification,
			params: parse(params_json)
		})),
		signInIdentities,
		extensions,
		auditLog: audit.map(({ before_json, after_json, ...entry }) => ({
			...entry,
			before: parse(before_json),
			after: parse(after_json)
		}))
	};
	const files: Record<string, Uint8Array> = {
		'README.txt': strToU8(exportReadme(learner.username, exportedAt)),
		'data.json': strToU8(JSON.stringify(data, null, 2))
	};
	for (const e of evidence) {
		if (!e.storage_key) continue;
		const bytes = await readFile(join(uploadsDirectory(), e.storage_key)).catch(() => null);
		if (bytes) files[`files/${e.id}-${e.file_name}`] = new Uint8Array(bytes);
	}
	await recordAudit(db, {
		schoolId: admin.schoolId,
		actorId: admin.id,
		action: 'privacy.export',
		entityType: 'user',
		entityId: String(learnerId)
	});
	return zipSync(files);
}

const ERASED = '[erased]';

/** An audit entry's JSON with each string in it changed (numbers, ids and keys stay). */
function mapJsonStrings(json: string | null, change: (text: string) => string): string | null {
	if (json === null) return null;
	const walk = (value: unknown): unknown =>
		typeof value === 'string'
			? change(value)
			: Array.isArray(value)
				? value.map(walk)
				: value && typeof value === 'object'
					? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]))
					: value;
	const parsed = jsonOrUndefined(json);
	return JSON.stringify(parsed === undefined ? ERASED : walk(parsed));
}

/** Every occurrence of the given words replaced, case-insensitively. */
function withoutWords(text: string, words: string[]): string {
	let out = text;
	for (const word of words)
		out = out.replace(new RegExp(word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'giu'), ERASED);
	return out;
}

/**
 * Erase a learner: their identity, words and files go, and so does everything that quoted them —
 * audit entries about them are scrubbed of names, titles and text, their badges are deleted (their
 * addresses answer 410 Gone), earlier batch exports holding their report are deleted, and the sign-in
 * record of their username goes. The numbers stay (anonymous), so class and school reports keep
 * their history. Deleted text is overwritten in the database file (`secure_delete`, set on every
 * connection) and the write-ahead log is emptied afterwards. This cannot be undone.
 */
export async function eraseLearner(
	db: DB,
	admin: SessionUser,
	learnerId: number,
	confirmUsername: string
) {
	const learner = await requireLearnerOfSchool(db, admin, learnerId);
	if (confirmUsername.trim().toLowerCase() !== learner.username)
		throw new Refusal(`Type the learner’s username (${learner.username}) to confirm.`);
	const [submissions, evidence, allocations, awards, clrStatus] = await Promise.all([
		db.selectFrom('submissions').select('id').where('learner_id', '=', learnerId).execute(),
		db
			.selectFrom('evidence')
			.innerJoin('submissions', 'submissions.id', 'evidence.submission_id')
			.select(['evidence.id', 'evidence.title', 'evidence.storage_key'])
			.where('submissions.learner_id', '=', learnerId)
			.execute(),
		db
			.selectFrom('peer_allocations')
			.select('peer_allocations.id')
			.where((eb) =>
				eb.or([
					eb('reviewer_id', '=', learnerId),
					eb(
						'submission_id',
						'in',
						eb.selectFrom('submissions').select('id').where('learner_id', '=', learnerId)
					)
				])
			)
			.execute(),
		db
			.selectFrom('badge_awards')
			.select(['identifier', 'status_list_id as listId', 'status_list_index as statusIndex'])
			.where('learner_id', '=', learnerId)
			.execute(),
		db
			.selectFrom('users')
			.select(['clr_status_list_id as listId', 'clr_status_index as statusIndex'])
			.where('id', '=', learnerId)
			.executeTakeFirst()
	]);
	const submissionIds = submissions.map((s) => s.id);
	// Words that identify the learner wherever an audit entry quotes them.
	const identifying = [
		learner.username,
		`${learner.given_name} ${learner.family_name}`,
		`${learner.family_name} ${learner.given_name}`,
		`${learner.family_name}, ${learner.given_name}`,
		learner.email ?? '',
		learner.badge_email ?? '',
		...evidence.map((e) => e.title.trim())
	].filter((w) => w.length >= 3);
	const linked: [string, string[]][] = [
		['user', [String(learnerId)]],
		['submission', submissionIds.map(String)],
		['evidence', evidence.map((e) => String(e.id))],
		['peer_allocation', allocations.map((a) => String(a.id))],
		['badge_award', awards.map((a) => a.identifier)]
	];
	const unusable = await hashPassword(randomBytes(32).toString('hex'));
	const now = nowIso();
	await db.transaction().execute(async (trx) => {
		await trx
			.updateTable('users')
			.set({
				username: `erased-${learnerId}`,
				given_name: 'Erased',
				family_name: 'learner',
				email: null,
				badge_email: null,
				badge_email_choice: 'school',
				source_id: null,
				password_hash: unusable,
				active: 0,
				password_changed_at: now
			})
			.where('id', '=', learnerId)
			.execute();
		await trx.deleteFrom('sessions').where('user_id', '=', learnerId).execute();
		await trx.deleteFrom('work_counts').where('user_id', '=', learnerId).execute();
		// Their Fusion Skills totals go (reports count an erased learner nowhere).
		await refreshLearnerSkillAggregates(trx, [learnerId]);
		await trx.deleteFrom('notifications').where('user_id', '=', learnerId).execute();
		await trx.deleteFrom('sign_in_cards').where('learner_id', '=', learnerId).execute();
		await trx.deleteFrom('sign_in_identities').where('user_id', '=', learnerId).execute();
		// An extension's reason is about them (illness, a family matter): it goes with them.
		await trx.deleteFrom('task_extensions').where('learner_id', '=', learnerId).execute();
		// A roster import's sign-in slips (an hour at most) are sealed, so whose they hold cannot be
		// read here: the school's are all forgotten (the admin can reset passwords instead).
		await trx.deleteFrom('roster_handouts').where('school_id', '=', admin.schoolId).execute();
		await trx
			.deleteFrom('login_attempts')
			.where(sql`lower(username)`, '=', learner.username.toLowerCase())
			.execute();
		for (const ids of chunks(submissionIds)) {
			await trx.deleteFrom('evidence').where('submission_id', 'in', ids).execute();
			// Their work's words, and everyone's words about it (which may name them).
			await trx
				.updateTable('submissions')
				.set({ overall_reflection: '', teacher_overall_comment: '' })
				.where('id', 'in', ids)
				.execute();
			await trx
				.updateTable('assessments')
				.set({ comment: '' })
				.where('submission_id', 'in', ids)
				.execute();
			await trx
				.updateTable('agreed_grades')
				.set({ note: '' })
				.where('submission_id', 'in', ids)
				.execute();
		}
		// Their own words about others' work.
		await trx
			.updateTable('assessments')
			.set({ comment: '' })
			.where('assessor_id', '=', learnerId)
			.execute();
		for (const ids of chunks(allocations.map((a) => a.id)))
			await trx
				.updateTable('peer_allocations')
				.set({ excluded_reason: '' })
				.where('id', 'in', ids)
				.where('excluded_reason', 'is not', null)
				.execute();
		// Their badges go entirely; only the identifiers stay, so their addresses answer 410 Gone.
		for (const ids of chunks(awards.map((a) => a.identifier))) {
			await trx
				.insertInto('erased_awards')
				.values(ids.map((identifier) => ({ identifier })))
				.onConflict((oc) => oc.doNothing())
				.execute();
		}
		// Copies already handed out (backpacks, baked images) are withdrawn where verifiers look: their
		// bits are set in the school's status lists, which hold nothing else about them.
		await revokeStatusEntries(
			trx,
			[...awards, ...(clrStatus ? [clrStatus] : [])].flatMap((a) =>
				a.listId !== null && a.statusIndex !== null
					? [{ listId: a.listId, statusIndex: a.statusIndex }]
					: []
			)
		);
		await trx.deleteFrom('badge_awards').where('learner_id', '=', learnerId).execute();
		await anonymiseAudit(trx, admin.schoolId, learnerId, linked, identifying);
		await recordAudit(trx, {
			schoolId: admin.schoolId,
			actorId: admin.id,
			action: 'privacy.erase',
			entityType: 'user',
			entityId: String(learnerId),
			after: { badgesErased: awards.length }
		});
	});
	for (const e of evidence)
		if (e.storage_key) await unlink(join(uploadsDirectory(), e.storage_key)).catch(() => {});
	await deleteExportsContaining(db, learnerId);
	// No earlier version of a deleted or overwritten row may stay on disk (see purgeDeletedRows).
	await purgeDeletedRows(db, ERASURE_TABLES);
}

/**
 * Audit entries about the learner (their account, work, evidence, peer pairs and badges) or made
 * by them keep their action, ids, numbers and time but lose every string; any other entry of the
 * school that quotes their name, username or an evidence title has those words replaced.
 */
/** The tables an erasure deletes from or overwrites, whose old row versions are then purged. */
const ERASURE_TABLES = [
	'users',
	'memberships',
	'enrolments',
	'submissions',
	'assessments',
	'agreed_grades',
	'peer_allocations',
	'evidence',
	'badge_awards',
	'notifications',
	'sessions',
	'login_attempts',
	'sign_in_cards',
	'sign_in_identities',
	'roster_handouts',
	'task_extensions',
	'work_counts',
	'audit_log',
	'learner_skill_aggregates',
	'learner_term_skill_aggregates'
];

async function anonymiseAudit(
	trx: Transaction<Database>,
	schoolId: number,
	learnerId: number,
	linked: [string, string[]][],
	identifying: string[]
) {
	const about = await trx
		.selectFrom('audit_log')
		.select(['id', 'before_json', 'after_json', 'reason'])
		.where('school_id', '=', schoolId)
		.where((eb) =>
			eb.or([
				eb('actor_id', '=', learnerId),
				...linked
					.filter(([, ids]) => ids.length)
					.map(([type, ids]) => eb.and([eb('entity_type', '=', type), eb('entity_id', 'in', ids)]))
			])
		)
		.execute();
	const done = new Set<number>();
	for (const entry of about) {
		done.add(entry.id);
		await trx
			.updateTable('audit_log')
			.set({
				before_json: mapJsonStrings(entry.before_json, () => ERASED),
				after_json: mapJsonStrings(entry.after_json, () => ERASED),
				reason: entry.reason ? ERASED : ''
			})
			.where('id', '=', entry.id)
			.execute();
	}
	if (!identifying.length) return;
	const quoting = await trx
		.selectFrom('audit_log')
		.select(['id', 'before_json', 'after_json', 'reason'])
		.where('school_id', '=', schoolId)
		.where((eb) =>
			eb.or(
				identifying.flatMap((word) =>
					(['before_json', 'after_json', 'reason'] as const).map((column) =>
						containsIgnoringCase(trx, eb.ref(column), word)
					)
				)
			)
		)
		.execute();
	for (const entry of quoting) {
		if (done.has(entry.id)) continue;
		const clean = (json: string | null) =>
			mapJsonStrings(json, (text) => withoutWords(text, identifying));
		await trx
			.updateTable('audit_log')
			.set({
				before_json: clean(entry.before_json),
				after_json: clean(entry.after_json),
				reason: withoutWords(entry.reason, identifying)
			})
			.where('id', '=', entry.id)
			.execute();
	}
}
