import type { DB } from '../db/connection';
import type { SignInProviderKind } from '../db/schema';
import { recordAudit } from '../audit';
import { nowIso } from '../clock';
import { Refusal } from '../errors';
import { seal, unseal } from '../seal';
import { secretKey } from './secret-key';
import { checkDiscovery, type ProviderClient } from './discovery';
import { microsoftTenantOf } from '../../domain/single-sign-on';

/**
 * A school's sign-in settings, as its admins keep them: providers (never their secrets back, only
 * that one is set) and the two school rules. Every read and write is scoped to the admin's school:
 * another school's provider is not found (404), whoever asks.
 */

export interface ProviderSettings {
	id: number;
	kind: SignInProviderKind;
	label: string;
	issuer: string;
	clientId: string;
	allowedDomains: string[];
	enabled: boolean;
	updatedAt: string;
}

export interface SchoolSignInRules {
	passwordsEnabled: boolean;
	admitsOutsiders: boolean;
}

export interface ProviderInput {
	kind: SignInProviderKind;
	label: string;
	issuer: string;
	clientId: string;
	/** Empty on an edit: keep the secret already set. */
	clientSecret: string;
	allowedDomains: string[];
	enabled: boolean;
}

interface Admin {
	id: number;
	schoolId: number;
}

const secretBinding = (schoolId: number, providerId: number) =>
	`sign-in-provider school=${schoolId} provider=${providerId}`;

export function sealClientSecret(schoolId: number, providerId: number, secret: string): string {
	return seal(secretKey(), secretBinding(schoolId, providerId), secret);
}

export function unsealClientSecret(schoolId: number, providerId: number, sealed: string): string {
	return unseal(secretKey(), secretBinding(schoolId, providerId), sealed);
}

const settingsColumns = [
	'id',
	'kind',
	'label',
	'issuer',
	'client_id',
	'allowed_domains',
	'enabled',
	'updated_at'
] as const;

function toSettings(row: {
	id: number;
	kind: SignInProviderKind;
	label: string;
	issuer: string;
	client_id: string;
	allowed_domains: string;
	enabled: 0 | 1;
	updated_at: string;
}): ProviderSettings {
	return {
		id: row.id,
		kind: row.kind,
		label: row.label,
		issuer: row.issuer,
		clientId: row.client_id,
		allowedDomains: JSON.parse(row.allowed_domains) as string[],
		enabled: row.enabled === 1,
		updatedAt: row.updated_at
	};
}

export async function listProviders(db: DB, schoolId: number): Promise<ProviderSettings[]> {
	const rows = await db
		.selectFrom('sign_in_providers')
		.select(settingsColumns)
		.where('school_id', '=', schoolId)
		.orderBy('id')
		.execute();
	return rows.map(toSettings);
}

const NOT_FOUND = 'There is no such sign-in provider at your school.';

export async function schoolProvider(
	db: DB,
	schoolId: number,
	providerId: number
): Promise<ProviderSettings> {
	const row = await db
		.selectFrom('sign_in_providers')
		.select(settingsColumns)
		.where('id', '=', providerId)
		.where('school_id', '=', schoolId)
		.executeTakeFirst();
	if (!row) throw new Refusal(NOT_FOUND, 404);
	return toSettings(row);
}

export async function signInRules(db: DB, schoolId: number): Promise<SchoolSignInRules> {
	const school = await db
		.selectFrom('schools')
		.select(['passwords_enabled', 'sso_admits_outsiders'])
		.where('id', '=', schoolId)
		.executeTakeFirstOrThrow();
	return {
		passwordsEnabled: school.passwords_enabled === 1,
		admitsOutsiders: school.sso_admits_outsiders === 1
	};
}

function checkKind(input: ProviderInput): void {
	if (input.kind === 'microsoft' && microsoftTenantOf(input.issuer) === null)
		throw new Refusal(
			'A Microsoft Entra ID provider needs your tenant: its ID or primary domain (not common, organizations or consumers).'
		);
}

/** Only what the audit log may show: never the secret, only whether it was replaced. */
function audited(input: ProviderInput, secretReplaced: boolean) {
	return {
		kind: input.kind,
		label: input.label,
		issuer: input.issuer,
		clientId: input.clientId,
		allowedDomains: input.allowedDomains,
		enabled: input.enabled,
		secretReplaced
	};
}

/**
 * Adds a provider after checking that its issuer answers discovery (the admin learns now, not at
 * the first pupil's sign-in, that the address is wrong).
 */
export async function addProvider(
	db: DB,
	admin: Admin,
	input: ProviderInput,
	check: (provider: ProviderClient) => Promise<void> = checkDiscovery
): Promise<number> {
	checkKind(input);
	if (!input.clientSecret) throw new Refusal('Enter the client secret the provider gave you.');
	await check(input);
	return db.transaction().execute(async (trx) => {
		const now = nowIso();
		const { id } = await trx
			.insertInto('sign_in_providers')
			.values({
				school_id: admin.schoolId,
				kind: input.kind,
				label: input.label,
				issuer: input.issuer,
				client_id: input.clientId,
				sealed_secret: '',
				allowed_domains: JSON.stringify(input.allowedDomains),
				enabled: input.enabled ? 1 : 0,
				created_at: now,
				updated_at: now
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		// Sealed once the row has its id, which is bound into the seal.
		await trx
			.updateTable('sign_in_providers')
			.set({ sealed_secret: sealClientSecret(admin.schoolId, id, input.clientSecret) })
			.where('id', '=', id)
			.execute();
		await recordAudit(trx, {
			schoolId: admin.schoolId,
			actorId: admin.id,
			action: 'sign_in.provider_add',
			entityType: 'sign_in_provider',
			entityId: String(id),
			after: audited(input, true)
		});
		return id;
	});
}

export async function updateProvider(
	db: DB,
	admin: Admin,
	providerId: number,
	input: ProviderInput,
	check: (provider: ProviderClient) => Promise<void> = checkDiscovery
): Promise<void> {
	const before = await schoolProvider(db, admin.schoolId, providerId);
	checkKind(input);
	const row = await db
		.selectFrom('sign_in_providers')
		.select('sealed_secret')
		.where('id', '=', providerId)
		.executeTakeFirstOrThrow();
	const secret =
		input.clientSecret || unsealClientSecret(admin.schoolId, providerId, row.sealed_secret);
	await check({ ...input, clientSecret: secret });
	await db.transaction().execute(async (trx) => {
		await trx
			.updateTable('sign_in_providers')
			.set({
				kind: input.kind,
				label: input.label,
				issuer: input.issuer,
				client_id: input.clientId,
				allowed_domains: JSON.stringify(input.allowedDomains),
				enabled: input.enabled ? 1 : 0,
				updated_at: nowIso(),
				...(input.clientSecret
					? { sealed_secret: sealClientSecret(admin.schoolId, providerId, input.clientSecret) }
					: {})
			})
			.where('id', '=', providerId)
			.where('school_id', '=', admin.schoolId)
			.execute();
		// Another issuer (or kind) numbers its people afresh: a subject linked under the old one
		// could name someone else under the new, so the links start again from verified e-mail.
		if (before.issuer !== input.issuer || before.kind !== input.kind)
			await trx.deleteFrom('sign_in_identities').where('provider_id', '=', providerId).execute();
		await passwordsStillReachable(trx, admin.schoolId);
		await recordAudit(trx, {
			schoolId: admin.schoolId,
			actorId: admin.id,
			action: 'sign_in.provider_update',
			entityType: 'sign_in_provider',
			entityId: String(providerId),
			before: { ...before, updatedAt: undefined },
			after: audited(input, Boolean(input.clientSecret))
		});
	});
}

export async function deleteProvider(db: DB, admin: Admin, providerId: number): Promise<void> {
	const before = await schoolProvider(db, admin.schoolId, providerId);
	await db.transaction().execute(async (trx) => {
		await trx
			.deleteFrom('sign_in_providers')
			.where('id', '=', providerId)
			.where('school_id', '=', admin.schoolId)
			.execute();
		await passwordsStillReachable(trx, admin.schoolId);
		await recordAudit(trx, {
			schoolId: admin.schoolId,
			actorId: admin.id,
			action: 'sign_in.provider_delete',
			entityType: 'sign_in_provider',
			entityId: String(providerId),
			before: { ...before, updatedAt: undefined }
		});
	});
}

const PASSWORDS_NEEDED =
	'Passwords are off at your school, so it needs an enabled sign-in provider. Turn passwords on first.';

/** With passwords off, the school keeps at least one enabled provider (else nobody but admins signs in). */
async function passwordsStillReachable(trx: Parameters<typeof recordAudit>[0], schoolId: number) {
	const school = await trx
		.selectFrom('schools')
		.select('passwords_enabled')
		.where('id', '=', schoolId)
		.executeTakeFirstOrThrow();
	if (school.passwords_enabled === 1) return;
	const enabled = await trx
		.selectFrom('sign_in_providers')
		.select('id')
		.where('school_id', '=', schoolId)
		.where('enabled', '=', 1)
		.executeTakeFirst();
	if (!enabled) throw new Refusal(PASSWORDS_NEEDED, 409);
}

/**
 * Passwords off is refused unless the school has an enabled provider. Admins keep their password
 * sign-in either way (break-glass: a broken or expired provider registration must not lock the
 * school out of its own settings).
 */
export async function setSignInRules(
	db: DB,
	admin: Admin,
	rules: SchoolSignInRules
): Promise<void> {
	const before = await signInRules(db, admin.schoolId);
	await db.transaction().execute(async (trx) => {
		await trx
			.updateTable('schools')
			.set({
				passwords_enabled: rules.passwordsEnabled ? 1 : 0,
				sso_admits_outsiders: rules.admitsOutsiders ? 1 : 0
			})
			.where('id', '=', admin.schoolId)
			.execute();
		if (!rules.passwordsEnabled) {
			const enabled = await trx
				.selectFrom('sign_in_providers')
				.select('id')
				.where('school_id', '=', admin.schoolId)
				.where('enabled', '=', 1)
				.executeTakeFirst();
			if (!enabled)
				throw new Refusal(
					'Add and enable a sign-in provider before turning passwords off, or nobody but admins could sign in.',
					409
				);
		}
		await recordAudit(trx, {
			schoolId: admin.schoolId,
			actorId: admin.id,
			action: 'sign_in.rules_update',
			entityType: 'school',
			entityId: String(admin.schoolId),
			before,
			after: rules
		});
	});
}
