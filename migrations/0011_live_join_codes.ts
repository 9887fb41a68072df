import { sql, type Kysely } from 'kysely';
import { randomBytes } from 'node:crypto';

/**
 * Live sessions are joined by a short code shown on the projector (issue 13 item 11). Each session
 * keeps its code; a partial unique index makes a code unique among sessions not yet closed, so a
 * closed session's code may be drawn again later and never finds the old one. Sessions open when
 * this runs are given a code here (the same alphabet as `domain/join-codes.ts`, copied so this
 * migration never changes with it).
 *
 * Wrong codes are counted against a per-learner allowance in `work_counts`, whose action is
 * CHECK-constrained: the small table is rebuilt with the new action (its rows matter for an hour at
 * most, and are copied).
 */
const ALPHABET = 'BCDFGHJKMNPQRSTVWXYZ23456789';

function code(): string {
	const limit = Math.floor(256 / ALPHABET.length) * ALPHABET.length;
	let text = '';
	while (text.length < 6)
		for (const byte of randomBytes(16))
			if (byte < limit && text.length < 6) text += ALPHABET[byte % ALPHABET.length];
	return text;
}

async function rebuildWorkCounts(
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	db: Kysely<any>,
	actions: string[]
): Promise<void> {
	await db.schema
		.createTable('work_counts_rebuilt')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('action', 'text', (c) =>
			c.notNull().check(sql`action in (${sql.join(actions.map((a) => sql.lit(a)))})`)
		)
		.addColumn('at', 'text', (c) => c.notNull())
		.execute();
	await sql`insert into work_counts_rebuilt (id, user_id, action, at)
		select id, user_id, action, at from work_counts
		where action in (${sql.join(actions.map((a) => sql.lit(a)))})`.execute(db);
	await db.schema.dropTable('work_counts').execute();
	await db.schema.alterTable('work_counts_rebuilt').renameTo('work_counts').execute();
	await db.schema
		.createIndex('work_counts_user_action_at')
		.on('work_counts')
		.columns(['user_id', 'action', 'at'])
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('live_sessions').addColumn('join_code', 'text').execute();
	const open = await db
		.selectFrom('live_sessions')
		.select('id')
		.where('state', '!=', 'closed')
		.execute();
	const taken = new Set<string>();
	for (const { id } of open) {
		let next = code();
		while (taken.has(next)) next = code();
		taken.add(next);
		await db.updateTable('live_sessions').set({ join_code: next }).where('id', '=', id).execute();
	}
	await sql`create unique index live_sessions_open_join_code on live_sessions (join_code)
		where state != 'closed'`.execute(db);
	await rebuildWorkCounts(db, ['learner_report_pdf', 'batch_export', 'live_join_code']);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await rebuildWorkCounts(db, ['learner_report_pdf', 'batch_export']);
	await db.schema.dropIndex('live_sessions_open_join_code').execute();
	await db.schema.alterTable('live_sessions').dropColumn('join_code').execute();
}
