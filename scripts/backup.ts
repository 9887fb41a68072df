// `npm run backup -- <file>`: an online, consistent copy of the database while the app keeps
// running.
import SQLite from 'better-sqlite3';
import { cpSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_DATABASE_PATH } from '../src/lib/server/db/connection';

const target = process.argv[2];
if (!target) {
	console.error('Usage: npm run backup -- <backup-file.db>');
	process.exit(2);
}
const source = process.env.DATABASE_PATH || DEFAULT_DATABASE_PATH;
if (!existsSync(source)) {
	console.error(`No database at ${source} (set DATABASE_PATH).`);
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
// Evidence files are written once under a name never reused (the one-off clean-up of old files
// replaces a file's bytes under the same name), so copying them after the database is consistent:
// every file the backup refers to already exists.
const uploads = process.env.UPLOADS_DIR || join(dirname(resolve(source)), 'uploads');
if (existsSync(uploads)) cpSync(uploads, `${target}.uploads`, { recursive: true });
console.log(
	`\nBacked up ${source} to ${target}${existsSync(uploads) ? ` and ${uploads} to ${target}.uploads` : ''}.`
);
console.log(
	`To restore: stop the app, copy the database back to ${source} and the uploads back to ${uploads}.`
);
