import type { Cookies } from '@sveltejs/kit';
import type { DB } from '../db/connection';

/**
 * What the one login page shows for a school chosen by `?school=slug`, or remembered in a cookie:
 * its name, its enabled providers' buttons, and whether its password form is shown.
 */
export const SCHOOL_COOKIE = 'fusion_school';

const YEAR_S = 365 * 24 * 60 * 60;

/**
 * Remembered only after someone signed in through one of the school's providers in this browser,
 * never from a link: otherwise anyone's link to `/login?school=theirs` (another school's admin
 * sets its buttons' labels) would dress the genuine login page in their buttons from then on.
 */
export function rememberLoginSchool(cookies: Cookies, slug: string, secure: boolean): void {
	cookies.set(SCHOOL_COOKIE, slug, {
		path: '/login',
		httpOnly: true,
		sameSite: 'lax',
		secure,
		maxAge: YEAR_S
	});
}

export interface LoginSchool {
	slug: string;
	name: string;
	passwordsEnabled: boolean;
	providers: { id: number; label: string }[];
}

export async function loginSchool(db: DB, slug: string | undefined): Promise<LoginSchool | null> {
	if (!slug || !/^[a-z0-9-]{1,100}$/.test(slug)) return null;
	const school = await db
		.selectFrom('schools')
		.select(['id', 'name', 'slug', 'passwords_enabled'])
		.where('slug', '=', slug)
		.executeTakeFirst();
	if (!school) return null;
	const providers = await db
		.selectFrom('sign_in_providers')
		.select(['id', 'label'])
		.where('school_id', '=', school.id)
		.where('enabled', '=', 1)
		.orderBy('id')
		.execute();
	return {
		slug: school.slug,
		name: school.name,
		passwordsEnabled: school.passwords_enabled === 1,
		providers
	};
}

export async function schoolSlug(db: DB, schoolId: number | null): Promise<string | null> {
	if (schoolId === null) return null;
	const school = await db
		.selectFrom('schools')
		.select('slug')
		.where('id', '=', schoolId)
		.executeTakeFirst();
	return school?.slug ?? null;
}
