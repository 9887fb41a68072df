import type { Kysely, Transaction } from 'kysely';
import type { Database } from './db/schema';
import { nowIso } from './clock';

export interface AuditEntry {
	schoolId: number;
	actorId: number | null;
	action: string;
	entityType: string;
	entityId: string;
	before?: unknown;
	after?: unknown;
	reason?: string;
}

/** Written inside the caller's transaction, so the change and its record stand or fall together. */
export async function recordAudit(
	db: Kysely<Database> | Transaction<Database>,
	entry: AuditEntry
): Promise<void> {
	await db
		.insertInto('audit_log')
		.values({
			school_id: entry.schoolId,
			actor_id: entry.actorId,
			action: entry.action,
			entity_type: entry.entityType,
			entity_id: entry.entityId,
			before_json: entry.before === undefined ? null : JSON.stringify(entry.before),
			after_json: entry.after === undefined ? null : JSON.stringify(entry.after),
			reason: entry.reason ?? '',
			created_at: nowIso()
		})
		.execute();
}
