import type { Kysely } from 'kysely';

/**
 * When the teacher last allocated reviewers automatically (random or within groups), so a learner
 * who submits afterwards is given reviewers at once (issue 13): only submitted work is allocated,
 * and "allocation has run" cannot be read from the pairs alone (an allocation made while fewer than
 * two had submitted has none).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('tasks').addColumn('peer_allocated_at', 'text').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('tasks').dropColumn('peer_allocated_at').execute();
}
