import { describe, expect, it } from 'vitest';
import { demoDatabase } from './helpers';
import { hashPassword } from '../../src/lib/server/auth/passwords';
import { signIn } from '../../src/lib/server/auth/sign-in';
import {
	createSession,
	generateSessionToken,
	validateSessionToken
} from '../../src/lib/server/auth/sessions';
import {
	homePathFor,
	holdsPolicyRole,
	roleSetsRequiredFor
} from '../../src/lib/server/auth/guards';

async function cityWithAdmin() {
	const { db, schoolId } = await demoDatabase();
	const now = new Date().toISOString();
	const city = await db
		.insertInto('cities')
		.values({ name: 'Riverside City', slug: 'riverside', created_at: now })
		.returning('id')
		.executeTakeFirstOrThrow();
	await db.updateTable('schools').set({ city_id: city.id }).where('id', '=', schoolId).execute();
	const admin = await db
		.insertInto('users')
		.values({
			username: 'city-admin',
			given_name: 'Cleo',
			family_name: 'Town',
			password_hash: await hashPassword('city-password-1'),
			password_changed_at: now,
			created_at: now
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	await db
		.insertInto('city_admins')
		.values({ city_id: city.id, user_id: admin.id, created_at: now })
		.execute();
	return { db, cityId: city.id, adminId: admin.id };
}

describe('a city admin with no school', () => {
	it('signs in to the city, holds no school role and is sent to /city', async () => {
		const { db, cityId, adminId } = await cityWithAdmin();
		const outcome = await signIn(db, 'city-admin', 'city-password-1', '10.0.0.1');
		expect(outcome.kind).toBe('signed-in');
		const token = generateSessionToken();
		await createSession(db, token, adminId);
		const { user } = await validateSessionToken(db, token);
		expect(user).toMatchObject({
			schoolId: 0,
			roles: [],
			city: { id: cityId, name: 'Riverside City' }
		});
		expect(homePathFor(user!)).toBe('/city');
		for (const path of ['/city', '/city/reports', '/account'])
			expect(roleSetsRequiredFor(path).every((roles) => holdsPolicyRole(user!, roles))).toBe(true);
		for (const path of ['/admin', '/teacher/classes/1', '/student'])
			expect(roleSetsRequiredFor(path).every((roles) => holdsPolicyRole(user!, roles))).toBe(false);
	});

	it('loses the city at once when their city admin row goes, and then cannot sign in', async () => {
		const { db, adminId } = await cityWithAdmin();
		const token = generateSessionToken();
		await createSession(db, token, adminId);
		expect((await validateSessionToken(db, token)).user?.city).not.toBeNull();
		await db.deleteFrom('city_admins').where('user_id', '=', adminId).execute();
		expect((await validateSessionToken(db, token)).user).toBeNull();
		expect((await signIn(db, 'city-admin', 'city-password-1', '10.0.0.2')).kind).toBe('refused');
	});

	it('a school teacher is no city admin', async () => {
		const { db } = await cityWithAdmin();
		const outcome = await signIn(db, 'teacher', 'fusion-demo', '10.0.0.3');
		expect(outcome.kind === 'signed-in' && outcome.user.city).toBeNull();
	});
});
