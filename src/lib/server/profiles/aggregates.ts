import { sql, type RawBuilder } from 'kysely';
import { lockForTransaction, lockRowsForTransaction, locksBetweenServers } from '../db/dialect';
import type { DB } from '../db/connection';
import { chunks } from '../db/chunks';
import { levelOf, schoolTerm, type CriterionResult } from '../../domain/profiles';
import { releasedResults } from './results';
import { nowIso } from '../clock';
import { applyGroupDeltas, countedNow, GroupDeltas, recordMembers } from './group-totals';
import { mappedItemIds } from '../frameworks/mapped';

/**
 * The one rule that keeps `learner_skill_aggregates` (0026) and `learner_term_skill_aggregates`
 * (0028) equal to what a profile would work out from the learners' released results: for the given
 * learners, recompute every skill's totals from `releasedResults` (the profile's own reader, so the
 * same grades count: teacher or agreed, released and not held for the learner's self-assessment)
 * and replace their rows. Set-based: a few queries per 200 learners, whatever they did.
 *
 * Call it inside the transaction of every write that changes what counts: release, hold, a grade
 * changed after release, agreement in moderation, a learner's self-assessment submitted, taken back
 * or reopened, a task's criteria or weights, the crosswalk, erasure. Never on the autosave of an
 * unreleased judgement, which counts nowhere until released. An erased learner's rows go.
 *
 * The totals per skill follow `fusionSkillProfile` (domain/profiles.ts): each result mapped to a
 * skill adds weight w = task weight × the criterion's share of the skill, and w × its 0–1 level;
 * the level is `level_sum / weight`. Only skills with evidence have a row (no row: no evidence,
 * never a zero).
 */
export async function refreshLearnerSkillAggregates(
	db: DB,
	learnerIds: readonly number[]
): Promise<void> {
	await recountLearners(db, learnerIds, (part) => replaceLearnerRows(db, part));
}

/**
 * After a change to the groups a report counts learners in (enrolled in or removed from a class, a
 * year group changed, an account deactivated, reactivated or made): the class × skill and year
 * group × skill totals (0032) follow. Call it in the change's transaction, after the change, once
 * (its row locks come last: see `group-totals.ts`).
 */
export async function refreshReportGroups(db: DB, learnerIds: readonly number[]): Promise<void> {
	await recountLearners(db, learnerIds, async () => undefined);
}

/**
 * The learners a part at a time, each part under its row locks: what they counted in the group
 * totals, `change` (which may rewrite their learner × skill rows), what they count now; the
 * difference goes into the totals once, at the end.
 */
async function recountLearners(
	db: DB,
	learnerIds: readonly number[],
	change: (part: number[]) => Promise<void>
): Promise<void> {
	const unique = [...new Set(learnerIds)].sort((a, b) => a - b);
	// Their schools' counting locks first, shared (before any learner's row lock, so it cannot
	// deadlock with a school-wide recount, which takes its school's alone and then the rows).
	if (locksBetweenServers(db))
		for (const schoolId of await schoolsCounting(db, unique))
			await lockForTransaction(db, countingLockOf(schoolId), 'shared');
	const deltas = new GroupDeltas();
	for (const part of chunks(unique, 200)) {
		// Two refreshes of one learner at once (two servers, PostgreSQL) take turns, in id order so
		// they cannot deadlock, and each reads the results only once it holds the learners.
		await lockRowsForTransaction(db, 'users', part);
		deltas.add(await countedNow(db, part, 'recorded'), -1);
		await change(part);
		const after = await countedNow(db, part, 'live');
		deltas.add(after, 1);
		await recordMembers(db, part, after.members);
	}
	await applyGroupDeltas(db, deltas);
}

/**
 * After a school's crosswalk of a framework the report can be read in changed (Skills Builder, the
 * OECD Learning Compass): those frameworks' class and year group totals in the school are counted
 * again from every counted learner's Fusion Skills levels; the Fusion Skills' own totals do not
 * move. The school's counting lock is taken first (exclusive: no other recount in the school runs
 * beside it, and none starts until this commits, so it counts with the new crosswalk), then every
 * counted learner's row, in id order as `recountLearners` takes them.
 */
export async function recountSchoolItemTotals(db: DB, schoolId: number): Promise<void> {
	const items = new Set(await mappedItemIds(db));
	if (items.size === 0) return;
	await lockForTransaction(db, countingLockOf(schoolId));
	const counted = await db
		.selectFrom('report_group_members')
		.select('learner_id')
		.distinct()
		.where('school_id', '=', schoolId)
		.orderBy('learner_id')
		.execute();
	const learners = counted.map((c) => c.learner_id);
	for (const part of chunks(learners, 200)) await lockRowsForTransaction(db, 'users', part);
	for (const batch of chunks([...items], 500))
		await db
			.deleteFrom('report_group_totals')
			.where('school_id', '=', schoolId)
			.where('skill_id', 'in', batch)
			.execute();
	const deltas = new GroupDeltas();
	for (const part of chunks(learners, 200)) {
		const { members, levels } = await countedNow(db, part, 'recorded');
		deltas.add(
			{
				members: members.filter((m) => m.schoolId === schoolId),
				levels: levels.filter((l) => l.schoolId === schoolId && items.has(l.skillId))
			},
			1,
			true
		);
	}
	await applyGroupDeltas(db, deltas);
}

/**
 * A school's counting lock (PostgreSQL): every recount of some learners holds their schools' shared,
 * a recount of a whole school (its crosswalk changed) holds its own exclusive. Without it a learner
 * counted for the first time in that school while the whole school was recounted (reactivated,
 * imported again) was counted with the crosswalk before the change, or its rows deleted unseen,
 * and the totals stayed wrong.
 */
const countingLockOf = (schoolId: number) => `report-counting:${schoolId}`;

/** The schools these learners are (or were last) counted in, in id order. */
async function schoolsCounting(db: DB, learnerIds: readonly number[]): Promise<number[]> {
	const schools = new Set<number>();
	for (const part of chunks([...learnerIds], 500)) {
		const rows = await db
			.selectFrom('memberships')
			.select('school_id as schoolId')
			.where('user_id', 'in', part)
			.union(
				db
					.selectFrom('report_group_members')
					.select('school_id as schoolId')
					.where('learner_id', 'in', part)
			)
			.execute();
		for (const r of rows) schools.add(r.schoolId);
	}
	return [...schools].sort((a, b) => a - b);
}

/**
 * A release's shortcut: one task's grades, just made visible to these learners, added to their
 * totals instead of recomputing their whole history (a class's release read every released result
 * of its 29 learners, 20 tasks' worth, to add one task). Totals are sums, so adding the task's share
 * gives what `refreshLearnerSkillAggregates` would; the aggregates tests check the two agree after
 * releases. Only for results that counted nowhere until now: the caller has just set these
 * learners' submissions of the task from unreleased to released, in this transaction.
 */
export async function addReleasedTaskToAggregates(
	db: DB,
	task: { schoolId: number; taskId: number },
	learnerIds: readonly number[]
): Promise<void> {
	await recountLearners(db, learnerIds, async (part) => {
		const results = await releasedResults(db, {
			schoolId: task.schoolId,
			learnerIds: part,
			taskId: task.taskId
		});
		await writeTotals(db, totalsRowsOf(task.schoolId, results, await erasedAmong(db, part)), 'add');
	});
}

/** An erased learner (privacy.ts renames them `erased-<id>`) counts in no report. */
async function erasedAmong(db: DB, ids: number[]): Promise<Set<number>> {
	const users = await db
		.selectFrom('users')
		.select(['id', 'username'])
		.where('id', 'in', ids)
		.execute();
	return new Set(users.filter((u) => u.username === `erased-${u.id}`).map((u) => u.id));
}

/** The learner × skill rows of these learners (held by the caller), replaced from their results. */
async function replaceLearnerRows(db: DB, part: number[]): Promise<void> {
	const erased = await erasedAmong(db, part);
	const schools = await db
		.selectFrom('submissions')
		.innerJoin('tasks', 'tasks.id', 'submissions.task_id')
		.innerJoin('classes', 'classes.id', 'tasks.class_id')
		.select('classes.school_id as schoolId')
		.distinct()
		.where('submissions.learner_id', 'in', part)
		.where('submissions.released_at', 'is not', null)
		.orderBy('classes.school_id')
		.execute();
	const rows: SkillTotalsRow[] = [];
	const termRows: TermTotalsRow[] = [];
	for (const { schoolId } of schools) {
		const totals = totalsRowsOf(
			schoolId,
			await releasedResults(db, { schoolId, learnerIds: part }),
			erased
		);
		rows.push(...totals.rows);
		termRows.push(...totals.termRows);
	}
	await db.deleteFrom('learner_skill_aggregates').where('learner_id', 'in', part).execute();
	await db.deleteFrom('learner_term_skill_aggregates').where('learner_id', 'in', part).execute();
	await writeTotals(db, { rows, termRows }, 'insert');
}

function totalsRowsOf(
	schoolId: number,
	results: Map<number, CriterionResult[]>,
	erased: Set<number>
): { rows: SkillTotalsRow[]; termRows: TermTotalsRow[] } {
	const rows: SkillTotalsRow[] = [];
	const termRows: TermTotalsRow[] = [];
	for (const [learnerId, list] of results) {
		if (erased.has(learnerId)) continue;
		const totals = skillTotals(list);
		for (const [skillId, t] of totals.overall) rows.push({ learnerId, skillId, schoolId, ...t });
		for (const [termKey, bySkill] of totals.byTerm)
			for (const [skillId, t] of bySkill)
				termRows.push({ learnerId, skillId, schoolId, termKey, ...t });
	}
	return { rows, termRows };
}

/**
 * The rows written: `insert` into rows the caller emptied, or `add` onto the stored totals (a row
 * not there yet is inserted as it is).
 */
async function writeTotals(
	db: DB,
	{ rows, termRows }: { rows: SkillTotalsRow[]; termRows: TermTotalsRow[] },
	mode: 'insert' | 'add'
): Promise<void> {
	const now = nowIso();
	const columnsOf = (r: SkillTotalsRow) => ({
		learner_id: r.learnerId,
		skill_id: r.skillId,
		school_id: r.schoolId,
		weight: r.weight,
		level_sum: r.levelSum,
		self_weight: r.selfWeight,
		self_level_sum: r.selfLevelSum,
		evidence_count: r.evidenceCount,
		task_count: r.taskCount,
		updated_at: now
	});
	for (const batch of chunks(rows, 500)) {
		const insert = db.insertInto('learner_skill_aggregates').values(batch.map(columnsOf));
		await (
			mode === 'insert'
				? insert
				: insert.onConflict((oc) =>
						oc
							.columns(['learner_id', 'skill_id', 'school_id'])
							.doUpdateSet(storedPlusExcluded('learner_skill_aggregates'))
					)
		).execute();
	}
	for (const batch of chunks(termRows, 400)) {
		const insert = db
			.insertInto('learner_term_skill_aggregates')
			.values(batch.map((r) => ({ ...columnsOf(r), term_key: r.termKey })));
		await (
			mode === 'insert'
				? insert
				: insert.onConflict((oc) =>
						oc
							.columns(['learner_id', 'skill_id', 'school_id', 'term_key'])
							.doUpdateSet(storedPlusExcluded('learner_term_skill_aggregates'))
					)
		).execute();
	}
}

const SUMMED_COLUMNS = [
	'weight',
	'level_sum',
	'self_weight',
	'self_level_sum',
	'evidence_count',
	'task_count'
] as const;

/**
 * An upsert's update that adds the new row's sums to the stored ones (`excluded` is the row that
 * conflicted, on SQLite and PostgreSQL alike); the two totals tables share these columns.
 */
function storedPlusExcluded(
	table: 'learner_skill_aggregates' | 'learner_term_skill_aggregates'
): Record<(typeof SUMMED_COLUMNS)[number], RawBuilder<number>> & {
	updated_at: RawBuilder<string>;
} {
	const sums = Object.fromEntries(
		SUMMED_COLUMNS.map((column) => [
			column,
			sql<number>`${sql.ref(`${table}.${column}`)} + ${sql.ref(`excluded.${column}`)}`
		])
	) as Record<(typeof SUMMED_COLUMNS)[number], RawBuilder<number>>;
	return { ...sums, updated_at: sql<string>`${sql.ref('excluded.updated_at')}` };
}

/**
 * Everyone whose results a change to these tasks can move (a task's criteria, weights or scale):
 * the learners with released work on them.
 */
export async function refreshAggregatesForTasks(db: DB, taskIds: readonly number[]): Promise<void> {
	if (taskIds.length === 0) return;
	const learners = await db
		.selectFrom('submissions')
		.select('learner_id')
		.distinct()
		.where('task_id', 'in', [...taskIds])
		.where('released_at', 'is not', null)
		.orderBy('learner_id')
		.execute();
	await refreshLearnerSkillAggregates(
		db,
		learners.map((l) => l.learner_id)
	);
}

/**
 * Everyone in a school with released work, and every student of it (a change to the school's
 * crosswalk or to a criterion's skill shares moves them all; rare, an admin's act; and a school
 * filled in bulk, by the seed or the bench, is counted into its group totals this way).
 */
export async function refreshAggregatesForSchool(db: DB, schoolId: number): Promise<void> {
	// Everyone it counts is read once no one else is counting in the school (`countingLockOf`).
	await lockForTransaction(db, countingLockOf(schoolId));
	const [learners, students] = await Promise.all([
		db
			.selectFrom('submissions')
			.innerJoin('tasks', 'tasks.id', 'submissions.task_id')
			.innerJoin('classes', 'classes.id', 'tasks.class_id')
			.select('submissions.learner_id')
			.distinct()
			.where('classes.school_id', '=', schoolId)
			.where('submissions.released_at', 'is not', null)
			.execute(),
		db
			.selectFrom('memberships')
			.select('user_id')
			.where('school_id', '=', schoolId)
			.where('role', '=', 'student')
			.execute()
	]);
	await refreshLearnerSkillAggregates(db, [
		...learners.map((l) => l.learner_id),
		...students.map((s) => s.user_id)
	]);
}

/**
 * Every school's learners and students, the group totals with them: after a restore of an older
 * backup, a migration that adds totals, or to rebuild from scratch.
 */
export async function rebuildAllAggregates(db: DB): Promise<void> {
	const [learners, students] = await Promise.all([
		db
			.selectFrom('submissions')
			.select('learner_id')
			.distinct()
			.where('released_at', 'is not', null)
			.execute(),
		db.selectFrom('memberships').select('user_id').where('role', '=', 'student').execute()
	]);
	await db.deleteFrom('learner_skill_aggregates').execute();
	await db.deleteFrom('learner_term_skill_aggregates').execute();
	// What a learner counted is read from these, so they go with the learner rows.
	await db.deleteFrom('report_group_members').execute();
	await db.deleteFrom('report_group_sizes').execute();
	await db.deleteFrom('report_group_totals').execute();
	await refreshLearnerSkillAggregates(db, [
		...learners.map((l) => l.learner_id),
		...students.map((s) => s.user_id)
	]);
}

interface Totals {
	weight: number;
	levelSum: number;
	selfWeight: number;
	selfLevelSum: number;
	evidenceCount: number;
	taskCount: number;
}
type SkillTotalsRow = Totals & {
	learnerId: number;
	skillId: number;
	schoolId: number;
};
type TermTotalsRow = Totals & {
	learnerId: number;
	skillId: number;
	schoolId: number;
	termKey: string;
};

/**
 * One learner's totals per skill, overall and per term: `weightedProfile` (domain/profiles.ts)
 * without the final division, so totals can be stored and summed.
 */
export function skillTotals(results: readonly CriterionResult[]) {
	const overall = new Map<number, Totals & { tasks: Set<number> }>();
	const byTerm = new Map<string, Map<number, Totals & { tasks: Set<number> }>>();
	const terms = new Map<string, string>();
	const add = (
		into: Map<number, Totals & { tasks: Set<number> }>,
		skillId: number,
		r: CriterionResult,
		w: number
	) => {
		let t = into.get(skillId);
		if (!t) {
			t = {
				weight: 0,
				levelSum: 0,
				selfWeight: 0,
				selfLevelSum: 0,
				evidenceCount: 0,
				taskCount: 0,
				tasks: new Set()
			};
			into.set(skillId, t);
		}
		t.evidenceCount++;
		t.tasks.add(r.taskId);
		t.taskCount = t.tasks.size;
		t.weight += w;
		t.levelSum += w * levelOf(r.bands, r.teacherValue);
		if (r.selfValue !== null) {
			t.selfWeight += w;
			t.selfLevelSum += w * levelOf(r.bands, r.selfValue);
		}
	};
	for (const r of results) {
		let termKey = terms.get(r.releasedAt);
		if (termKey === undefined) terms.set(r.releasedAt, (termKey = schoolTerm(r.releasedAt).key));
		let term = byTerm.get(termKey);
		if (!term) byTerm.set(termKey, (term = new Map()));
		for (const [skillId, share] of r.skillShares) {
			const w = r.taskWeight * share;
			if (!(w > 0)) continue;
			add(overall, skillId, r, w);
			add(term, skillId, r, w);
		}
	}
	const strip = (m: Map<number, Totals & { tasks: Set<number> }>) =>
		new Map([...m].map(([id, { tasks: _tasks, ...t }]) => [id, t]));
	return {
		overall: strip(overall),
		byTerm: new Map([...byTerm].map(([key, m]) => [key, strip(m)]))
	};
}
