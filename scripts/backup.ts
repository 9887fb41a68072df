// `npm run backup -- <file>`: an online, consistent copy of the database while the app keeps
// running: SQLite's online backup API for the file, pg_dump (custom format) for PostgreSQL
// (DATABASE_URL). Then the evidence uploads beside it.
import SQLite from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_DATABASE_PATH, databaseLocation } from '../src/lib/server/db/connection';
import { isPostgresUrl } from '../src/lib/server/db/dialect';

const target = process.argv[2];
if (!target) {
	console.error(
		'Usage: npm run backup -- <backup-file>  (a .db copy for SQLite, a .dump for PostgreSQL)'
	);
	process.exit(2);
}
const source = databaseLocation();
let restoreSteps: string;
if (isPostgresUrl(source)) {
	// pg_dump reads one snapshot of the database, so the app keeps writing while it runs.
	const url = new URL(source);
	const schema = url.searchParams.get('schema');
	url.searchParams.delete('schema');
	const dumped = spawnSync(
		'pg_dump',
		[
			'--format=custom',
			'--no-owner',
			`--file=${target}`,
			...(schema ? [`--schema=${schema}`] : []),
			url.toString()
		],
		{ stdio: ['ignore', 'inherit', 'inherit'] }
	);
	if (dumped.error || dumped.status !== 0) {
		console.error(
			`pg_dump failed${dumped.error ? ` (${dumped.error.message}: install postgresql-client)` : ''}.`
		);
		process.exit(1);
	}
	const safeUrl = new URL(url);
	safeUrl.password = safeUrl.password ? '…' : '';
	restoreSteps = `stop the app servers, restore into an empty database (createdb NAME, then pg_restore --no-owner --dbname=NAME ${target}), point DATABASE_URL at it (was ${safeUrl})`;
} else {
	if (!existsSync(source)) {
		console.error(`No database at ${source} (set DATABASE_PATH, or DATABASE_URL for PostgreSQL).`);
		process.exit(2);
	}
	const db = new SQLite(source, { fileMustExist: true });
	db.pragma('busy_timeout = 5000');
	await db.backup(target, {
		progress: ({ totalPages, remainingPages }) => {
			process.stdout.write(
				`\rBacking up… ${Math.round(((totalPages - remainingPages) / totalPages) * 100)}%`
			);
			return 200;
		}
	});
	db.close();
	restoreSteps = `stop the app, copy the database back to ${source}`;
}
// Evidence files are written once under a name never reused (the one-off clean-up of old files
// replaces a file's bytes under the same name), so copying them after the database is consistent:
// every file the backup refers to already exists.
const uploads =
	process.env.UPLOADS_DIR ||
	join(dirname(resolve(process.env.DATABASE_PATH || DEFAULT_DATABASE_PATH)), 'uploads');
if (existsSync(uploads)) cpSync(uploads, `${target}.uploads`, { recursive: true });
console.log(
	`\nBacked up the database to ${target}${existsSync(uploads) ? ` and ${uploads} to ${target}.uploads` : ''}.`
);
console.log(`To restore: ${restoreSteps}, and copy the uploads back to ${uploads}.`);
