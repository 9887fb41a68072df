import { chunks } from '../db/chunks';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';
import type { DB } from '../db/connection';
import { recordAudit } from '../audit';
import {
	EMAIL_PREFERENCES,
	effectiveEmailPreference,
	emailAllowed,
	type EmailPreference
} from '../../domain/notifications';

type Executor = Kysely<Database> | Transaction<Database>;
type Env = Record<string, string | undefined>;

/** How the server sends e-mail, from the environment; null when it does not. */
export interface MailSettings {
	host: string;
	port: number;
	secure: boolean;
	user: string | null;
	password: string | null;
	from: string;
	/** Where the links in a message point: a message is read outside the site, so links are absolute. */
	origin: string;
}

/**
 * E-mail is on when SMTP_HOST names a server and ORIGIN says where the site is (a link in a message
 * must be absolute). SMTP_PORT defaults to 587, or 465 with SMTP_SECURE=1 (TLS from the start);
 * SMTP_USER and SMTP_PASSWORD sign in; SMTP_FROM is the sender.
 */
export function mailSettings(env: Env = process.env): MailSettings | null {
	const host = env.SMTP_HOST?.trim();
	const origin = env.ORIGIN?.trim().replace(/\/+$/, '');
	if (!host || !origin) return null;
	const secure = env.SMTP_SECURE === '1' || env.SMTP_SECURE === 'true';
	const port = Number(env.SMTP_PORT) || (secure ? 465 : 587);
	return {
		host,
		port,
		secure,
		user: env.SMTP_USER?.trim() || null,
		password: env.SMTP_PASSWORD ?? null,
		from: env.SMTP_FROM?.trim() || `Fusion Skills <no-reply@${new URL(origin).hostname}>`,
		origin
	};
}

export function emailIsOn(env: Env = process.env): boolean {
	return mailSettings(env) !== null;
}

export interface EmailRecipient {
	userId: number;
	address: string | null;
	allowed: boolean;
	chosen: EmailPreference | null;
	preference: EmailPreference;
	givenName: string;
}

/**
 * What each person's e-mail preference is in force: a pupil (a student who is not also staff) is
 * held to the minimum age of the school where they learn, from their year group.
 */
function recipientRows(db: Executor, userIds: number[]) {
	return db
		.selectFrom('users')
		.innerJoin('memberships', 'memberships.user_id', 'users.id')
		.innerJoin('schools', 'schools.id', 'memberships.school_id')
		.select([
			'users.id',
			'users.email',
			'users.given_name',
			'users.email_notifications',
			'users.active',
			'memberships.role',
			'memberships.year_group',
			'schools.email_minimum_age'
		])
		.where('users.id', 'in', userIds)
		.execute();
}

export async function emailRecipients(db: Executor, userIds: number[]): Promise<EmailRecipient[]> {
	if (userIds.length === 0) return [];
	const rows: Awaited<ReturnType<typeof recipientRows>> = [];
	// A digest can name a whole school: `in` lists stay within what a statement may bind.
	for (const some of chunks([...new Set(userIds)])) rows.push(...(await recipientRows(db, some)));
	const byUser = new Map<number, typeof rows>();
	for (const row of rows) byUser.set(row.id, [...(byUser.get(row.id) ?? []), row]);
	return [...byUser.values()].map((memberships) => {
		const first = memberships[0]!;
		const learning = memberships.find((m) => m.role === 'student');
		const isPupil = memberships.every((m) => m.role === 'student');
		const allowed =
			first.active === 1 &&
			emailAllowed(
				{ isPupil, yearGroup: learning?.year_group ?? null },
				learning?.email_minimum_age ?? 0
			);
		const chosen = EMAIL_PREFERENCES.find((p) => p === first.email_notifications) ?? null;
		return {
			userId: first.id,
			address: first.email?.trim() || null,
			allowed,
			chosen,
			preference: effectiveEmailPreference(chosen, allowed),
			givenName: first.given_name
		};
	});
}

/** The person's own choice, from /account or an unsubscribe link. */
export async function setEmailPreference(
	db: Executor,
	userId: number,
	preference: EmailPreference
): Promise<void> {
	await db
		.updateTable('users')
		.set({ email_notifications: preference })
		.where('id', '=', userId)
		.execute();
}

/** The school's minimum age for e-mail to pupils, as the admin page shows it. */
export async function schoolEmailMinimumAge(db: Executor, schoolId: number): Promise<number> {
	const row = await db
		.selectFrom('schools')
		.select('email_minimum_age')
		.where('id', '=', schoolId)
		.executeTakeFirstOrThrow();
	return row.email_minimum_age;
}

/** An admin sets it for their own school; recorded in the audit log. */
export async function setSchoolEmailMinimumAge(
	db: DB,
	admin: { id: number; schoolId: number },
	age: number
): Promise<void> {
	await db.transaction().execute(async (trx) => {
		const before = await schoolEmailMinimumAge(trx, admin.schoolId);
		await trx
			.updateTable('schools')
			.set({ email_minimum_age: age })
			.where('id', '=', admin.schoolId)
			.execute();
		await recordAudit(trx, {
			schoolId: admin.schoolId,
			actorId: admin.id,
			action: 'school.email_minimum_age',
			entityType: 'school',
			entityId: String(admin.schoolId),
			before: { age: before },
			after: { age }
		});
	});
}
