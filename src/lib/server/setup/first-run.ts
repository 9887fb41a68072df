import type { DB } from '../db/connection';
import { migrateToLatest } from '../db/migrate';
import { hasDemoSchool, isDatabaseEmpty, seedDemoSchool } from '../db/seed';
import { seedDemoActivity } from '../db/demo-activity';
import { ensureReferenceData } from '../frameworks/reference-data';
import { schoolKey } from '../badges/keys';
import { isSetUp, issueSetupToken } from './school-setup';
import {
	cleanStoredEvidence,
	type StoredEvidenceCleaning
} from '../assessment/clean-stored-evidence';

/**
 * What `npm start` (scripts/serve.ts) does to the database before serving: migrate, clean the
 * evidence files stored before uploads were cleaned (a one-off: nothing to do once done), add the
 * reference data, and then either seed the demo into an empty database or — with `SEED_DEMO=0` —
 * leave it without a single account and issue a one-time set-up link (a new one at each start
 * until a school exists).
 */
export interface PreparedDatabase {
	appliedMigrations: string[];
	/** The one-off clean-up of evidence files stored before uploads were cleaned. */
	cleanedEvidence: StoredEvidenceCleaning;
	seededDemo: boolean;
	/** A school from the seed generator is present: its accounts share a published password. */
	hasDemo: boolean;
	/** Print it as `${origin}/setup?token=…`; null once a school exists. */
	setupToken: { token: string; expiresAt: Date } | null;
}

export async function prepareDatabase(
	db: DB,
	options: { seedDemo: boolean; origin: string; now?: Date }
): Promise<PreparedDatabase> {
	const { results } = await migrateToLatest(db);
	const appliedMigrations =
		results?.filter((r) => r.status === 'Success').map((r) => r.migrationName) ?? [];
	const cleanedEvidence = await cleanStoredEvidence(db);
	await ensureReferenceData(db);
	let seededDemo = false;
	if (options.seedDemo && (await isDatabaseEmpty(db))) {
		await seedDemoSchool(db);
		await seedDemoActivity(db, options.origin);
		seededDemo = true;
	}
	// Each school's badge-signing key for this origin, made at start rather than at the first award.
	for (const school of await db.selectFrom('schools').select('id').execute())
		await schoolKey(db, school.id, options.origin);
	const setupToken = (await isSetUp(db)) ? null : await issueSetupToken(db, options.now);
	return {
		appliedMigrations,
		cleanedEvidence,
		seededDemo,
		hasDemo: await hasDemoSchool(db),
		setupToken
	};
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|::1|\[::1\])$/i;

export const DEMO_LOOPBACK_REASON =
	"The demo school's accounts share a published password, so the demo listens on 127.0.0.1 only.";

/**
 * Where the server listens. A real school keeps the usual default (every address). A database
 * holding the demo listens on loopback unless `HOST` names another address AND
 * `DEMO_ON_NETWORK=1` says that is meant; `HOST` alone is refused, with the reason.
 */
export function listenAddress(options: {
	host: string | undefined;
	demoOnNetwork: boolean;
	hasDemo: boolean;
}): { host: string; note: string | null } | { refusal: string } {
	const host = options.host?.trim() || undefined;
	if (!options.hasDemo) return { host: host ?? '0.0.0.0', note: null };
	if (!host)
		return {
			host: '127.0.0.1',
			note: `${DEMO_LOOPBACK_REASON} To serve it on another address, set HOST=… and DEMO_ON_NETWORK=1.`
		};
	if (LOOPBACK.test(host)) return { host, note: null };
	if (options.demoOnNetwork)
		return {
			host,
			note: `DEMO_ON_NETWORK=1: the demo listens on ${host}. Anyone who can reach it can sign in with the published demo password.`
		};
	return {
		refusal: `${DEMO_LOOPBACK_REASON} To serve it on HOST=${host}, set DEMO_ON_NETWORK=1 as well.`
	};
}

/**
 * The same rule for the server process itself, however it was started: `npm start`, `npm run serve`
 * (`node build`) or a service manager. hooks.server.ts `init` calls it, and adapter-node reads `HOST`
 * only once `init` has finished (its handler awaits `init` before the listener is set up), so an
 * unset `HOST` can still become 127.0.0.1 here; a refusal must end the process before it listens.
 * `env` is `process.env`, changed in place.
 */
export async function holdDemoToLoopback(
	db: DB,
	env: Record<string, string | undefined>
): Promise<{ note: string | null } | { refusal: string }> {
	if (!(await hasDemoSchool(db).catch(noSchoolsTable))) return { note: null };
	// A Unix socket is reached only from this machine (or through a proxy someone set up on purpose).
	if (env.SOCKET_PATH) return { note: null };
	const demoOnNetwork = env.DEMO_ON_NETWORK === '1';
	// A socket handed over by a service manager listens wherever that manager says: unknown here.
	if (env.LISTEN_FDS && env.LISTEN_FDS !== '0' && !demoOnNetwork)
		return {
			refusal: `${DEMO_LOOPBACK_REASON} This server was handed a socket by its service manager (LISTEN_FDS), so where it listens cannot be checked: set DEMO_ON_NETWORK=1 if that is meant.`
		};
	const address = listenAddress({ host: env.HOST, demoOnNetwork, hasDemo: true });
	if ('refusal' in address) return address;
	env.HOST = address.host;
	return { note: address.note };
}

/** A database not migrated yet holds no school, so no demo (the app itself will say what is wrong). */
function noSchoolsTable(problem: unknown): false {
	if (problem instanceof Error && /no such table: schools/.test(problem.message)) return false;
	throw problem;
}
