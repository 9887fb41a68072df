// `npm run backup -- <file>`: an online, consistent copy of the database while the app keeps running.
import SQLite from 'better-sqlite3';
import { existsSync } from 'node:fs';
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
		process.stdout.write(`\rBacking up… ${Math.round(((totalPages - remainingPages) / totalPages) * 100)}%`);
		return 200;
	}
});
db.close();
console.log(`\nBacked up ${source} to ${target}. To restore: stop the app and copy it back to ${source}.`);
