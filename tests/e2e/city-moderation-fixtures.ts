import Database from 'better-sqlite3';
import { E2E_DATABASE } from './fixtures';

/**
 * Cross-school moderation's browser fixtures (tests/e2e/seed-extras.ts, the `xmod` block), found by
 * what people call them: the round by its title, a sample by its round and moderator.
 */
export const XMOD_MATRIX_ROUND = 'xmod matrix round';
export const XMOD = {
	cityAdmin: 'xmod-city-admin',
	farCityAdmin: 'xmod-far-city-admin',
	/** teacher of school B, moderates school A's pieces */
	moderator: 'xmod-b-teacher2',
	/** teacher of school A, moderates school B's pieces */
	moderatorA: 'xmod-a-teacher2',
	/** the teacher who marked school A's work */
	schoolATeacher: 'xmod-a-teacher',
	schoolAAdmin: 'xmod-a-admin',
	schoolALearner: 'xmod-a-student1',
	farTeacher: 'xmod-far-teacher'
} as const;

let db: Database.Database | undefined;
function one(sql: string, ...params: (string | number)[]): number {
	db ??= new Database(E2E_DATABASE, { readonly: true, fileMustExist: true });
	const row = db.prepare(sql).get(...params) as { id: number } | undefined;
	if (!row) throw new Error(`No cross-school moderation fixture for ${sql} ${params.join(', ')}`);
	return row.id;
}

export const xmodRoundId = (title = XMOD_MATRIX_ROUND) =>
	one('select id from city_moderation_rounds where title = ? order by id limit 1', title);

/** The first sample (by code) of a round allocated to this moderator. */
export const xmodSampleId = (moderator: string, title = XMOD_MATRIX_ROUND) =>
	one(
		'select s.id from city_moderation_samples s join users u on u.id = s.moderator_id where s.round_id = ? and u.username = ? order by s.code limit 1',
		xmodRoundId(title),
		moderator
	);
