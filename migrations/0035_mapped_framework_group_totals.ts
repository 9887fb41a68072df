import { type Kysely } from 'kysely';

/**
 * The class and year group totals (0032) now hold the items of the other frameworks a school
 * report can be read in (Skills Builder, the OECD Learning Compass) beside the Fusion Skills:
 * `report_group_totals.skill_id` names a framework item of either kind (it references
 * `framework_items` already), each learner's item level worked out from their Fusion Skills levels
 * through the school's crosswalk (`server/profiles/group-totals.ts`). Nothing in the schema
 * changes; the totals are counted again from the learners' totals when this first runs
 * (`db/migrate.ts`), as after 0028 and 0032.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(_db: Kysely<any>): Promise<void> {}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(_db: Kysely<any>): Promise<void> {}
