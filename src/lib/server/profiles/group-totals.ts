import type { DB } from '../db/connection';
import { chunks } from '../db/chunks';
import { mappedItemLevel, type MappingShare } from '../../domain/framework-conversion';
import { schoolItemMappings } from '../frameworks/mapped';

const SEP = '\u0001';

/**
 * The report's class × skill and year group × skill totals (0032), kept by increments: for the
 * learners a write touches, what they counted before it is taken out and what they count after it
 * put in. What a learner counts is worked out the same way both times (`countedNow`): from their
 * learner × skill rows (0026, 0028) and the groups they are counted in (recorded in
 * `report_group_members`, so a later change of class, year group or activity knows what to take
 * out). The sums are whole numbers (levels in thousandths), so increments add up exactly in any
 * order, and two servers adding to one row at once each add theirs (an upsert adds to the row it
 * finds, under PostgreSQL's row lock).
 *
 * The totals hold the Fusion Skills and the items of the other frameworks a report can be read
 * in (0035), an item's level worked out from the Fusion Skills levels through the school's
 * crosswalk as it stands: a change to that crosswalk counts the school's items again
 * (`recountSchoolItemTotals`), since a learner's contribution before it cannot be worked out after.
 *
 * Callers hold the learners' row locks (`refreshLearnerSkillAggregates` takes them), so one
 * learner's before and after cannot interleave with another write's. The deltas go in once, at the
 * end of the call, sorted by key: two transactions adding to the same rows lock them in the same
 * order and cannot deadlock.
 */

/** `class_id` of a year group's own rows (class rows carry the class's id). */
export const WHOLE_YEAR_GROUP = 0;

/** A year group as the totals key it: '' for none (a filter is never blank). */
export function yearKeyOf(yearGroup: string | null): string {
	return yearGroup ?? '';
}

interface Member {
	learnerId: number;
	schoolId: number;
	classId: number;
	yearKey: string;
}

interface CountedLevel {
	learnerId: number;
	schoolId: number;
	/** '' for all terms */
	termKey: string;
	/** a Fusion Skill, or an item of a framework the report can be read in (`mappedItemLevels`) */
	skillId: number;
	/** the learner's level in thousandths, rounded as their profile rounds it */
	milli: number;
}

/** The groups the learners belong to now: active students, their year group and their classes. */
export async function liveMembers(db: DB, learnerIds: readonly number[]): Promise<Member[]> {
	if (learnerIds.length === 0) return [];
	const ids = [...learnerIds];
	const [years, classes] = await Promise.all([
		db
			.selectFrom('memberships as m')
			.innerJoin('users as u', 'u.id', 'm.user_id')
			.select(['m.user_id as learnerId', 'm.school_id as schoolId', 'm.year_group as yearGroup'])
			.where('m.user_id', 'in', ids)
			.where('m.role', '=', 'student')
			.where('u.active', '=', 1)
			.execute(),
		db
			.selectFrom('enrolments as e')
			.innerJoin('classes as c', 'c.id', 'e.class_id')
			.select(['e.learner_id as learnerId', 'c.school_id as schoolId', 'c.id as classId'])
			.where('e.learner_id', 'in', ids)
			.execute()
	]);
	const yearOf = new Map(
		years.map((y) => [`${y.learnerId}/${y.schoolId}`, yearKeyOf(y.yearGroup)])
	);
	const members: Member[] = years.map((y) => ({
		learnerId: y.learnerId,
		schoolId: y.schoolId,
		classId: WHOLE_YEAR_GROUP,
		yearKey: yearKeyOf(y.yearGroup)
	}));
	// A class counts its learners who are students of the class's school (as the report did).
	for (const c of classes) {
		const yearKey = yearOf.get(`${c.learnerId}/${c.schoolId}`);
		if (yearKey !== undefined) members.push({ ...c, yearKey });
	}
	return members;
}

/** The groups the learners were last counted in. */
async function recordedMembers(db: DB, learnerIds: readonly number[]): Promise<Member[]> {
	if (learnerIds.length === 0) return [];
	return db
		.selectFrom('report_group_members')
		.select([
			'learner_id as learnerId',
			'school_id as schoolId',
			'class_id as classId',
			'year_key as yearKey'
		])
		.where('learner_id', 'in', [...learnerIds])
		.execute();
}

/** The learners' levels as the report counts them: skills with evidence, all terms and each term. */
async function countedLevels(db: DB, learnerIds: readonly number[]): Promise<CountedLevel[]> {
	if (learnerIds.length === 0) return [];
	const ids = [...learnerIds];
	const [overall, terms] = await Promise.all([
		db
			.selectFrom('learner_skill_aggregates')
			.select([
				'learner_id as learnerId',
				'school_id as schoolId',
				'skill_id as skillId',
				'weight',
				'level_sum as levelSum'
			])
			.where('learner_id', 'in', ids)
			.where('weight', '>', 0)
			.execute(),
		db
			.selectFrom('learner_term_skill_aggregates')
			.select([
				'learner_id as learnerId',
				'school_id as schoolId',
				'term_key as termKey',
				'skill_id as skillId',
				'weight',
				'level_sum as levelSum'
			])
			.where('learner_id', 'in', ids)
			.where('weight', '>', 0)
			.execute()
	]);
	const milli = (r: { weight: number; levelSum: number }) =>
		Math.round((Number(r.levelSum) / Number(r.weight)) * 1000);
	const fusion: CountedLevel[] = [
		...overall.map((r) => ({ ...r, termKey: '', milli: milli(r) })),
		...terms.map((r) => ({ ...r, milli: milli(r) }))
	];
	return [...fusion, ...mappedItemLevels(fusion, await schoolItemMappings(db, schoolsOf(fusion)))];
}

const schoolsOf = (levels: readonly CountedLevel[]) => [...new Set(levels.map((l) => l.schoolId))];

/**
 * The same learners' levels in the other frameworks a report can be read in: each item's level
 * from their Fusion Skills levels through the school's crosswalk (`mappedItemLevel`, as the report
 * works it out from the results), per term as well as overall; an item none of whose skills has
 * evidence counts nowhere. Stored beside the Fusion Skills' rows (`skill_id` is the item's id), so
 * the Skills Builder view of the school is read from totals too.
 */
function mappedItemLevels(
	fusion: readonly CountedLevel[],
	mappings: ReadonlyMap<number, { itemId: number; mapping: MappingShare[] }[]>
): CountedLevel[] {
	const profiles = new Map<string, { of: CountedLevel; levels: Map<number, { level: number }> }>();
	for (const l of fusion) {
		const key = [l.learnerId, l.schoolId, l.termKey].join(SEP);
		let own = profiles.get(key);
		if (!own) profiles.set(key, (own = { of: l, levels: new Map() }));
		own.levels.set(l.skillId, { level: l.milli / 1000 });
	}
	const levels: CountedLevel[] = [];
	for (const { of, levels: own } of profiles.values())
		for (const { itemId, mapping } of mappings.get(of.schoolId) ?? []) {
			const level = mappedItemLevel(own, mapping);
			if (level === null) continue;
			levels.push({
				learnerId: of.learnerId,
				schoolId: of.schoolId,
				termKey: of.termKey,
				skillId: itemId,
				milli: Math.round(level * 1000)
			});
		}
	return levels;
}

/** What a set of learners counts: where (members) and with what (levels). */
export interface Counted {
	members: Member[];
	levels: CountedLevel[];
}

/**
 * What the learners count in the totals now: as last recorded (`recorded`), or as their classes,
 * year group and activity say (`live`); with their learner × skill rows as they stand.
 */
export async function countedNow(
	db: DB,
	learnerIds: readonly number[],
	groups: 'recorded' | 'live'
): Promise<Counted> {
	const [members, levels] = await Promise.all([
		groups === 'recorded' ? recordedMembers(db, learnerIds) : liveMembers(db, learnerIds),
		countedLevels(db, learnerIds)
	]);
	return { members, levels };
}

/** Increments to the sizes and totals, summed over every learner a call touches. */
export class GroupDeltas {
	readonly sizes = new Map<string, number>();
	readonly totals = new Map<string, { learners: number; milli: number }>();

	/** `totalsOnly`: the levels counted again where the learners already count (their groups' sizes stay). */
	add({ members, levels }: Counted, sign: 1 | -1, totalsOnly = false): void {
		const levelsOf = new Map<string, CountedLevel[]>();
		for (const l of levels) {
			const key = `${l.learnerId}/${l.schoolId}`;
			const own = levelsOf.get(key);
			if (own) own.push(l);
			else levelsOf.set(key, [l]);
		}
		for (const m of members) {
			const group = [m.schoolId, m.classId, m.yearKey].join(SEP);
			if (!totalsOnly) this.sizes.set(group, (this.sizes.get(group) ?? 0) + sign);
			for (const l of levelsOf.get(`${m.learnerId}/${m.schoolId}`) ?? []) {
				const key = [group, l.termKey, l.skillId].join(SEP);
				const t = this.totals.get(key) ?? { learners: 0, milli: 0 };
				t.learners += sign;
				t.milli += sign * l.milli;
				this.totals.set(key, t);
			}
		}
	}
}

/** Sorted by the table's key, so every transaction locks rows in one order. */
function byKey(a: readonly (string | number)[], b: readonly (string | number)[]): number {
	for (let i = 0; i < a.length; i++) {
		const x = a[i]!;
		const y = b[i]!;
		if (x === y) continue;
		return x < y ? -1 : 1;
	}
	return 0;
}

/**
 * Adds the deltas (those that are not zero) to the sizes and totals, and drops the rows that
 * reach zero learners: a group or skill without learners has no row, as a learner's skill without
 * evidence has none.
 */
export async function applyGroupDeltas(db: DB, deltas: GroupDeltas): Promise<void> {
	const sizes = [...deltas.sizes]
		.filter(([, n]) => n !== 0)
		.map(([key, learners]) => {
			const [schoolId, classId, yearKey] = key.split(SEP);
			return {
				school_id: Number(schoolId),
				class_id: Number(classId),
				year_key: yearKey!,
				learners
			};
		})
		.sort((a, b) =>
			byKey([a.school_id, a.class_id, a.year_key], [b.school_id, b.class_id, b.year_key])
		);
	const totals = [...deltas.totals]
		.filter(([, t]) => t.learners !== 0 || t.milli !== 0)
		.map(([key, t]) => {
			const [schoolId, classId, yearKey, termKey, skillId] = key.split(SEP);
			return {
				school_id: Number(schoolId),
				term_key: termKey!,
				class_id: Number(classId),
				year_key: yearKey!,
				skill_id: Number(skillId),
				learners: t.learners,
				level_milli_sum: t.milli
			};
		})
		.sort((a, b) =>
			byKey(
				[a.school_id, a.term_key, a.class_id, a.year_key, a.skill_id],
				[b.school_id, b.term_key, b.class_id, b.year_key, b.skill_id]
			)
		);
	for (const batch of chunks(sizes, 500)) {
		const emptied = await db
			.insertInto('report_group_sizes')
			.values(batch)
			.onConflict((oc) =>
				oc.columns(['school_id', 'class_id', 'year_key']).doUpdateSet((eb) => ({
					learners: eb('report_group_sizes.learners', '+', eb.ref('excluded.learners'))
				}))
			)
			.returning(['school_id', 'class_id', 'year_key', 'learners'])
			.execute();
		for (const row of emptied.filter((r) => r.learners <= 0))
			await db
				.deleteFrom('report_group_sizes')
				.where('school_id', '=', row.school_id)
				.where('class_id', '=', row.class_id)
				.where('year_key', '=', row.year_key)
				.where('learners', '<=', 0)
				.execute();
	}
	for (const batch of chunks(totals, 400)) {
		const emptied = await db
			.insertInto('report_group_totals')
			.values(batch)
			.onConflict((oc) =>
				oc
					.columns(['school_id', 'term_key', 'class_id', 'year_key', 'skill_id'])
					.doUpdateSet((eb) => ({
						learners: eb('report_group_totals.learners', '+', eb.ref('excluded.learners')),
						level_milli_sum: eb(
							'report_group_totals.level_milli_sum',
							'+',
							eb.ref('excluded.level_milli_sum')
						)
					}))
			)
			.returning(['school_id', 'term_key', 'class_id', 'year_key', 'skill_id', 'learners'])
			.execute();
		for (const row of emptied.filter((r) => r.learners <= 0))
			await db
				.deleteFrom('report_group_totals')
				.where('school_id', '=', row.school_id)
				.where('term_key', '=', row.term_key)
				.where('class_id', '=', row.class_id)
				.where('year_key', '=', row.year_key)
				.where('skill_id', '=', row.skill_id)
				.where('learners', '<=', 0)
				.execute();
	}
}

/** Records the groups the learners are counted in from now on. */
export async function recordMembers(
	db: DB,
	learnerIds: readonly number[],
	members: readonly Member[]
): Promise<void> {
	if (learnerIds.length === 0) return;
	await db
		.deleteFrom('report_group_members')
		.where('learner_id', 'in', [...learnerIds])
		.execute();
	for (const batch of chunks([...members], 500))
		await db
			.insertInto('report_group_members')
			.values(
				batch.map((m) => ({
					learner_id: m.learnerId,
					school_id: m.schoolId,
					class_id: m.classId,
					year_key: m.yearKey
				}))
			)
			.execute();
}
