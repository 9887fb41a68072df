import { sql, type Kysely } from 'kysely';

/**
 * The non-completion penalty for group work (issue 13 item 16): WebPA's correction for members who
 * did not rate (× members ÷ raters) keeps the scores averaging 1 but lets a member whose peers
 * value them above the share they would give themselves score higher by staying silent. WebPA and
 * Moodle's Peer Work plugin let the teacher set a penalty for not rating; this is that setting, a
 * whole percentage (0–100, default 0: no penalty, as before) taken off a non-submitter's WebPA
 * score.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.alterTable('tasks')
		.addColumn('non_submitter_penalty_percent', 'integer', (c) =>
			c
				.notNull()
				.defaultTo(0)
				.check(sql`non_submitter_penalty_percent between 0 and 100`)
		)
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('tasks').dropColumn('non_submitter_penalty_percent').execute();
}
