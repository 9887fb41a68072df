import { Migrator, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DB } from './connection';
import { currentSchema, isPostgres } from './dialect';

export const MIGRATIONS_FOLDER = resolve(process.env.MIGRATIONS_PATH || 'migrations');

/**
 * kysely's FileMigrationProvider, but importing from our own module: under vitest the import is
 * then transformed (our migrations are TypeScript), and under tsx it is compiled on the fly.
 */
class NumberedFileMigrationProvider implements MigrationProvider {
	constructor(private readonly folder: string) {}

	async getMigrations(): Promise<Record<string, Migration>> {
		const files = (await readdir(this.folder))
			.filter((f) => /^\d{4}_[\w-]+\.(ts|js)$/.test(f))
			.sort();
		const migrations: Record<string, Migration> = {};
		for (const file of files) {
			const module = (await import(pathToFileURL(join(this.folder, file)).href)) as Migration;
			migrations[file.replace(/\.(ts|js)$/, '')] = { up: module.up, down: module.down };
		}
		return migrations;
	}
}

const AGGREGATES_REBUILT_BY = new Set([
	'0028_term_skill_aggregates',
	'0032_report_group_totals',
	'0035_mapped_framework_group_totals'
]);

export async function migrateToLatest(
	db: DB,
	folder = MIGRATIONS_FOLDER
): Promise<MigrationResultSet> {
	const migrator = new Migrator({
		db,
		provider: new NumberedFileMigrationProvider(folder),
		// kysely looks for its own tables in every schema it can see; on a PostgreSQL server holding
		// several of the app's schemas (tests, or a city's staging beside production) it must look
		// in this connection's own.
		...(isPostgres(db) ? { migrationTableSchema: await currentSchema(db) } : {})
	});
	const result = await migrator.migrateToLatest();
	if (result.error) {
		const failed = result.results?.find((r) => r.status === 'Error');
		throw new Error(
			`Migration ${failed?.migrationName ?? '(unknown)'} failed: ${String(result.error)}`,
			{
				cause: result.error
			}
		);
	}
	// 0028, 0032 and 0035 came after released work existed: the learner × skill totals (and the class
	// and year group totals built on them) are worked out once, from the results, when any first runs
	// (afterwards every write keeps them).
	if (
		result.results?.some(
			(r) => AGGREGATES_REBUILT_BY.has(r.migrationName) && r.status === 'Success'
		)
	) {
		const { rebuildAllAggregates } = await import('../profiles/aggregates');
		await db.transaction().execute((trx) => rebuildAllAggregates(trx));
	}
	return result;
}
