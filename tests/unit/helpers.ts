import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type DB } from '../../src/lib/server/db/connection';
import { migrateToLatest } from '../../src/lib/server/db/migrate';
import {
	createSession,
	generateSessionToken,
	validateSessionToken,
	type SessionUser
} from '../../src/lib/server/auth/sessions';
import {
	DEMO_PASSWORD,
	DEMO_SCHOOL,
	insertSchool,
	planSchool,
	schoolOfSize
} from '../../src/lib/server/db/seed';
import { listBank } from '../../src/lib/server/criteria/criteria';
import { listScales } from '../../src/lib/server/scales/scales';
import { createTask, setTaskState } from '../../src/lib/server/tasks/tasks';
import { addTaskCriterion, taskCriteria } from '../../src/lib/server/tasks/task-criteria';
import { taskSettingsSchema } from '../../src/lib/schemas/tasks';

/** A migrated database in a fresh temporary file (WAL needs a real file, not :memory:). */
export async function freshDatabase(): Promise<DB> {
	const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'fusion-test-')), 'test.db'));
	await migrateToLatest(db);
	return db;
}

export async function demoDatabase(): Promise<{ db: DB; schoolId: number }> {
	const db = await freshDatabase();
	const { schoolId } = await insertSchool(db, planSchool(DEMO_SCHOOL), DEMO_PASSWORD);
	return { db, schoolId };
}

export async function userId(db: DB, username: string): Promise<number> {
	return (
		await db
			.selectFrom('users')
			.select('id')
			.where('username', '=', username)
			.executeTakeFirstOrThrow()
	).id;
}

/**
 * A person signed in, as the services receive them: a real session made and validated the way
 * sign-in and hooks.server.ts do it. The one way unit tests and the e2e seed act as someone.
 */
export async function sessionUser(db: DB, username: string): Promise<SessionUser> {
	const token = generateSessionToken();
	await createSession(db, token, await userId(db, username));
	return (await validateSessionToken(db, token)).user!;
}

/**
 * A published task "Pitch" for class 1 on the school scale, with the bank's criteria of these
 * codes in order; `settings` adds task settings (peer review, say) as the form would send them.
 */
export async function publishedTask(
	db: DB,
	schoolId: number,
	teacher: SessionUser,
	codes: string[],
	settings: Record<string, string> = {}
): Promise<{ taskId: number; criteria: Awaited<ReturnType<typeof taskCriteria>> }> {
	const scaleId = (await listScales(db, schoolId)).find((s) =>
		s.name.startsWith('School scale')
	)!.id;
	const taskId = await createTask(
		db,
		teacher,
		1,
		taskSettingsSchema.parse({
			title: 'Pitch',
			brief: '',
			scaleId,
			selfMarkerVisibility: 'always',
			selfRequiredBeforeRelease: 'on',
			...settings
		})
	);
	const bank = await listBank(db, schoolId);
	for (const code of codes)
		await addTaskCriterion(db, teacher, taskId, bank.find((c) => c.code === code)!.id);
	await setTaskState(db, teacher, taskId, 'published');
	return { taskId, criteria: await taskCriteria(db, taskId) };
}

/**
 * A second school on the same server ("other"), with its own admin, teacher, class and four
 * learners, every username prefixed `other-` so none clashes with the demo school's.
 */
export async function secondSchool(db: DB): Promise<{ schoolId: number }> {
	const other = planSchool({ ...schoolOfSize(4, 1, 7), slug: 'other' });
	other.people = other.people.map((p) => ({ ...p, username: `other-${p.username}` }));
	other.classes = other.classes.map((c) => ({
		...c,
		teachers: c.teachers.map((t) => `other-${t}`),
		learners: c.learners.map((l) => `other-${l}`)
	}));
	return insertSchool(db, other, 'pw');
}
