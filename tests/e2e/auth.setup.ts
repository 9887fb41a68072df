import { expect, test as setup } from '@playwright/test';
import { PERSONAS, signIn, storageFor, type Persona } from './fixtures';

const homes: Record<Persona, RegExp> = {
	admin: /\/admin$/,
	teacher: /\/teacher$/,
	teacherOther: /\/teacher$/,
	student: /\/student$/,
	studentOther: /\/student$/,
	otherSchoolAdmin: /\/admin$/,
	cityAdmin: /\/city$/,
	otherCityAdmin: /\/city$/
};

for (const persona of Object.keys(PERSONAS) as Persona[]) {
	setup(`sign in as ${persona}`, async ({ page }) => {
		await signIn(page, PERSONAS[persona]);
		await expect(page).toHaveURL(homes[persona]);
		await page.context().storageState({ path: storageFor(persona) });
	});
}
