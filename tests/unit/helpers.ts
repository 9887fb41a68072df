import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseLocationOf, openDatabase, type DB } from '../../src/lib/server/db/connection';
import { migrateToLatest } from '../../src/lib/server/db/migrate';
import { isPostgresUrl } from '../../src/lib/server/db/dialect';
import { freshPostgresDatabase, postgresTestRun } from './postgres-run';
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

/**
 * Where a fresh test database lives: a new temporary SQLite file (WAL needs a real file, not
 * :memory:), or on the PostgreSQL run a new schema of the run's database.
 */
export async function freshDatabaseLocation(): Promise<string> {
	return postgresTestRun()
		? freshPostgresDatabase()
		: join(mkdtempSync(join(tmpdir(), 'fusion-test-')), 'test.db');
}

/** The environment that points a child process or `getDb()` at `location`. */
export function databaseEnv(location: string): { DATABASE_URL?: string; DATABASE_PATH?: string } {
	return isPostgresUrl(location) ? { DATABASE_URL: location } : { DATABASE_PATH: location };
}

/**
 * Points the app's own connection (`getDb()`, which route handlers open) at `db`: the same file,
 * or the same PostgreSQL database. Call `closeDb()` first if the app's connection may be open.
 */
export function serveAppFrom(db: DB): void {
	const location = databaseLocationOf(db);
	delete process.env.DATABASE_URL;
	delete process.env.DATABASE_PATH;
	Object.assign(process.env, databaseEnv(location));
}

/** A migrated database of its own, on whichever database this run tests. */
export async function freshDatabase(): Promise<DB> {
	const db = openDatabase(await freshDatabaseLocation());
	// The PostgreSQL copy is of a migrated template; this finds nothing to do there.
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
	return prefixedSchool(db, 'other', schoolOfSize(4, 1, 7));
}

/** A generated school on the same server, its usernames prefixed (`<prefix>-admin`) and slug `prefix`. */
export async function prefixedSchool(
	db: DB,
	prefix: string,
	spec: ReturnType<typeof schoolOfSize>
): Promise<{ schoolId: number }> {
	const plan = planSchool({ ...spec, slug: prefix });
	plan.people = plan.people.map((p) => ({ ...p, username: `${prefix}-${p.username}` }));
	plan.classes = plan.classes.map((c) => ({
		...c,
		teachers: c.teachers.map((t) => `${prefix}-${t}`),
		learners: c.learners.map((l) => `${prefix}-${l}`)
	}));
	return insertSchool(db, plan, 'pw');
}
