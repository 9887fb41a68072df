import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { requireLearnerAccess } from '../auth/guards';
import { scaleBandsOf } from '../scales/scales';
import { reviewerQualities } from '../peer/results';
import { capriTree } from '../frameworks/frameworks';
import {
	calibrationTrend,
	capriProfile,
	fusionSkillProfile,
	levelOf,
	levelWords,
	profileOverTime,
	selfCalibration
} from '../../domain/profiles';
import { LEVEL_LABELS, bandFor, valueInBandUnits } from '../../domain/scales';
import { releasedResults, skillList } from './results';
import { displayName } from '../../domain/names';
import { NEUTRAL_COLOUR } from '../../domain/frameworks';
import { mappedProfile } from '../../domain/framework-conversion';
import type { FrameworkViewSlug } from '../../domain/mapped-frameworks';
import { mappedFramework } from '../frameworks/mapped';

/**
 * A learner's whole picture: Fusion Skills and CAPRI profiles, over time, and how well they judge;
 * with `framework`, the Fusion Skills profile read in another framework too (`mapped`).
 */
export async function learnerProfile(
	db: DB,
	user: SessionUser,
	learnerId: number,
	framework: FrameworkViewSlug = 'fusion-skills'
) {
	await requireLearnerAccess(db, user, learnerId);
	const mappedView =
		framework === 'fusion-skills' ? null : await mappedFramework(db, user.schoolId, framework);
	const [learner, classes, results, skills, capri] = await Promise.all([
		db
			.selectFrom('users')
			.select(['id', 'given_name as givenName', 'family_name as familyName'])
			.where('id', '=', learnerId)
			.executeTakeFirstOrThrow(),
		db
			.selectFrom('enrolments')
			.innerJoin('classes', 'classes.id', 'enrolments.class_id')
			.select('classes.name')
			.where('enrolments.learner_id', '=', learnerId)
			.orderBy('classes.name')
			.execute(),
		releasedResults(db, { schoolId: user.schoolId, learnerId }).then((m) => m.get(learnerId) ?? []),
		skillList(db),
		capriTree(db)
	]);
	const skillIds = skills.map((s) => s.id);
	const profile = fusionSkillProfile(results, skillIds);
	const byCategory = capriProfile(
		results,
		capri.map((c) => c.code)
	);
	const overTime = profileOverTime(results, skillIds);
	const calibration = selfCalibration(results);
	const mapped = mappedView
		? mappedProfile(
				results,
				profile,
				mappedView.crosswalk,
				mappedView.items.map((i) => i.id)
			)
		: null;
	const skillById = new Map(skills.map((s) => [s.id, s]));

	return {
		learner: {
			id: learner.id,
			name: displayName(learner),
			givenName: learner.givenName,
			classes: classes.map((c) => c.name)
		},
		levelLabels: LEVEL_LABELS,
		skills: skills.map((s) => {
			const entry = profile.get(s.id)!;
			return {
				...s,
				...entry,
				words: levelWords(entry.level, LEVEL_LABELS),
				selfWords: levelWords(entry.selfLevel, LEVEL_LABELS),
				trend: overTime.trend.get(s.id) ?? null,
				// The working: every result behind the figure, with its weight.
				inputs: results
					.filter((r) => (r.skillShares.get(s.id) ?? 0) > 0)
					.map((r) => ({
						taskTitle: r.taskTitle,
						criterionCode: r.criterionCode,
						band: bandFor(r.bands, r.teacherValue).label,
						level: Math.round(levelOf(r.bands, r.teacherValue) * 1000) / 1000,
						weight: Math.round(r.taskWeight * r.skillShares.get(s.id)! * 1000) / 1000
					}))
			};
		}),
		mapped:
			mappedView && mapped
				? {
						slug: mappedView.slug,
						title: mappedView.title,
						shortTitle: mappedView.shortTitle,
						creator: mappedView.creator,
						items: mappedView.items.map((item) => {
							const entry = mapped.get(item.id)!;
							return {
								id: item.id,
								code: item.code,
								title: item.title,
								level: entry.level,
								selfLevel: entry.selfLevel,
								words: levelWords(entry.level, LEVEL_LABELS),
								coverage: entry.coverage,
								evidenceCount: entry.evidenceCount,
								tasks: entry.tasks,
								// The working: each Fusion Skill the figure rests on, its share and level.
								inputs: entry.inputs.map((input) => ({
									...input,
									code: skillById.get(input.skillId)?.code ?? '',
									title: skillById.get(input.skillId)?.title ?? '',
									words: levelWords(input.level, LEVEL_LABELS)
								}))
							};
						})
					}
				: null,
		capri: capri.map((c) => {
			const entry = byCategory.get(c.code)!;
			return {
				code: c.code,
				title: c.title,
				colour: c.colour ?? NEUTRAL_COLOUR,
				...entry,
				words: levelWords(entry.level, LEVEL_LABELS)
			};
		}),
		terms: overTime.terms.map((t) => ({
			label: t.label,
			levels: skills.map((s) => t.profile.get(s.id)!.level)
		})),
		calibration,
		calibrationTrend: calibrationTrend(calibration),
		peerReviewing: await peerReviewingCalibration(db, learnerId),
		liveSessions: await liveCalibration(db, learnerId),
		resultCount: results.length
	};
}

export type LearnerProfile = Awaited<ReturnType<typeof learnerProfile>>;

/** How close the learner's peer reviews came to the teacher's grades, task by task. */
async function peerReviewingCalibration(db: DB, learnerId: number) {
	const tasks = await db
		.selectFrom('peer_allocations')
		.innerJoin('tasks', 'tasks.id', 'peer_allocations.task_id')
		.select(['tasks.id', 'tasks.title', 'tasks.scale_id as scaleId'])
		.where('peer_allocations.reviewer_id', '=', learnerId)
		.where('peer_allocations.state', '=', 'submitted')
		.groupBy('tasks.id')
		.execute();
	const bands = await scaleBandsOf(
		db,
		tasks.map((t) => t.scaleId)
	);
	const qualities = await reviewerQualities(
		db,
		tasks.map((t) => ({ taskId: t.id, bands: bands.get(t.scaleId) ?? [] }))
	);
	const out = [];
	for (const task of tasks) {
		const quality = qualities.get(task.id)?.get(learnerId);
		if (quality) out.push({ taskId: task.id, taskTitle: task.title, ...quality });
	}
	return out;
}

/**
 * Live-session placements against the teacher's revealed placement: calibration on shared
 * exemplars.
 */
async function liveCalibration(db: DB, learnerId: number) {
	const rows = await db
		.selectFrom('live_placements')
		.innerJoin('live_sessions', 'live_sessions.id', 'live_placements.session_id')
		.innerJoin('criteria', 'criteria.id', 'live_sessions.criterion_id')
		.select([
			'live_sessions.id',
			'live_sessions.exemplar_title as title',
			'live_placements.value',
			'live_sessions.teacher_value as teacherValue',
			'criteria.scale_id as scaleId'
		])
		.where('live_placements.learner_id', '=', learnerId)
		.where('live_sessions.state', '!=', 'open')
		.where('live_sessions.teacher_value', 'is not', null)
		// Closed without a reveal: the teacher's placement was never shown, so it is no calibration.
		.where('live_sessions.revealed_at', 'is not', null)
		.orderBy('live_sessions.id')
		.execute();
	const bandsOf = await scaleBandsOf(
		db,
		rows.map((r) => r.scaleId)
	);
	const out = [];
	for (const r of rows) {
		const bands = bandsOf.get(r.scaleId) ?? [];
		out.push({
			sessionId: r.id,
			title: r.title,
			gap:
				Math.round(
					(valueInBandUnits(bands, r.value) - valueInBandUnits(bands, r.teacherValue!)) * 100
				) / 100
		});
	}
	return out;
}
