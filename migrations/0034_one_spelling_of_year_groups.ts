import { type Kysely } from 'kysely';
import { canonicalYearGroup } from '../src/lib/domain/names';
import { refreshReportGroups } from '../src/lib/server/profiles/aggregates';
import type { DB } from '../src/lib/server/db/connection';

/**
 * One spelling of each year group: "Year 7", "Y7" and "7" stored side by side were three year
 * groups, each counted, charted and (in a city report) suppressed below 5 learners on its own. The
 * stored year groups of learners and classes are rewritten in the spelling every write now uses
 * (`canonicalYearGroup`), and the year group × skill totals of the learners whose year group was
 * respelt are recounted (0032), as any change of year group does. Few distinct values exist, so the
 * mapping is made here in code, the same on both databases; most databases change nothing.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	const respelt = new Set<number>();
	for (const table of ['memberships', 'classes'] as const) {
		const spellings = await db
			.selectFrom(table)
			.select('year_group')
			.distinct()
			.where('year_group', 'is not', null)
			.execute();
		for (const { year_group: spelling } of spellings as { year_group: string }[]) {
			const canonical = canonicalYearGroup(spelling);
			if (canonical === spelling) continue;
			if (table === 'memberships') {
				const learners = await db
					.selectFrom('memberships')
					.select('user_id')
					.where('year_group', '=', spelling)
					.where('role', '=', 'student')
					.execute();
				for (const { user_id } of learners as { user_id: number }[]) respelt.add(user_id);
			}
			await db
				.updateTable(table)
				.set({ year_group: canonical })
				.where('year_group', '=', spelling)
				.execute();
		}
	}
	if (respelt.size > 0) await refreshReportGroups(db as unknown as DB, [...respelt]);
}

/** The old spellings are not kept: they were the same year groups, written differently. */
export async function down(): Promise<void> {}
