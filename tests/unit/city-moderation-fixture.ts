import type { DB } from '../../src/lib/server/db/connection';
import { insertSchool, planSchool, schoolOfSize } from '../../src/lib/server/db/seed';
import { hashPassword } from '../../src/lib/server/auth/passwords';
import { listBank } from '../../src/lib/server/criteria/criteria';
import { listScales } from '../../src/lib/server/scales/scales';
import { createTask, setTaskState } from '../../src/lib/server/tasks/tasks';
import { addTaskCriterion, taskCriteria } from '../../src/lib/server/tasks/task-criteria';
import {
	saveSelfAssessment,
	submitSelfAssessment
} from '../../src/lib/server/assessment/self-assessment';
import { addEvidence } from '../../src/lib/server/assessment/evidence';
import { releaseGrades, saveTeacherGrade } from '../../src/lib/server/assessment/marking';
import { listTeacherClasses } from '../../src/lib/server/classes/classes';
import { taskSettingsSchema } from '../../src/lib/schemas/tasks';
import { sessionUser, userId } from './helpers';

/**
 * A city for cross-school moderation, every name prefixed (`xmod` in the browser tests): two
 * schools of the city (A and B, each a class of `learners` with two teachers and released work on
 * C1.1 and R3.2 whose evidence names its learner), a third school in another city, and a city admin
 * of each city. Made through the app's own services. Usernames: `<p>-a-teacher`, `<p>-a-student1`,
 * `<p>-b-teacher2`, `<p>-far-teacher`, `<p>-city-admin`, `<p>-far-city-admin`.
 */
export async function cityModerationFixture(
	db: DB,
	{ prefix, password, learners = 6 }: { prefix: string; password: string; learners?: number }
) {
	const now = new Date().toISOString();
	const city = async (name: string, slug: string) =>
		(
			await db
				.insertInto('cities')
				.values({ name, slug, created_at: now })
				.returning('id')
				.executeTakeFirstOrThrow()
		).id;
	const cityId = await city(`${prefix} City`, `${prefix}-city`);
	const farCityId = await city(`${prefix} Far City`, `${prefix}-far-city`);
	const hash = await hashPassword(password);

	async function school(key: string, name: string, seed: number, inCity: number) {
		const plan = planSchool({
			...schoolOfSize(learners, 1, seed),
			schoolName: name,
			slug: `${prefix}-${key}`
		});
		const rename = (u: string) => `${prefix}-${key}-${u}`;
		plan.people = plan.people.map((p) => ({ ...p, username: rename(p.username) }));
		// Two teachers: the class's own and one more, so a school has a moderator who is not the marker.
		plan.people.push({
			username: rename('teacher2'),
			givenName: 'Robin',
			familyName: `${key.toUpperCase()}-Second`,
			role: 'teacher',
			yearGroup: null
		});
		plan.classes = plan.classes.map((c) => ({
			...c,
			name: `${name} ${c.name}`,
			teachers: c.teachers.map(rename),
			learners: c.learners.map(rename)
		}));
		const { schoolId } = await insertSchool(db, plan, password);
		await db.updateTable('schools').set({ city_id: inCity }).where('id', '=', schoolId).execute();
		const teacher = await sessionUser(db, rename('teacher'));
		const [klass] = await listTeacherClasses(db, teacher.id);
		const scaleId = (await listScales(db, schoolId)).find((s) =>
			s.name.startsWith('School scale')
		)!.id;
		const taskId = await createTask(
			db,
			teacher,
			klass!.id,
			taskSettingsSchema.parse({
				title: `${name} pitch`,
				brief: `Pitch an idea to the ${name} council.`,
				scaleId,
				selfMarkerVisibility: 'always',
				selfRequiredBeforeRelease: 'on'
			})
		);
		const bank = await listBank(db, schoolId);
		for (const code of ['C1.1', 'R3.2'])
			await addTaskCriterion(db, teacher, taskId, bank.find((c) => c.code === code)!.id);
		await setTaskState(db, teacher, taskId, 'published');
		const criteria = await taskCriteria(db, taskId);
		const people = plan.people.filter((p) => p.role === 'student');
		for (const [i, person] of people.entries()) {
			const learner = await sessionUser(db, person.username);
			await addEvidence(db, learner, taskId, {
				kind: 'text',
				title: 'My pitch',
				body: `I am ${person.givenName} ${person.familyName} (${person.username}) of ${name}. We pitched a recycling scheme.`
			});
			for (const [j, c] of criteria.entries())
				await saveSelfAssessment(db, learner, taskId, {
					kind: 'criterion',
					criterionId: c.criterionId,
					value: 11.5 + j,
					comment: `self-comment-${person.username}`
				});
			await submitSelfAssessment(db, learner, taskId);
			for (const [j, c] of criteria.entries())
				await saveTeacherGrade(db, teacher, taskId, learner.id, {
					kind: 'criterion',
					criterionId: c.criterionId,
					// 30, 50, 70, … across the class: the school's own grades
					value: 30 + ((i * 20 + j * 10) % 60),
					comment: `teacher-comment-${person.username}`
				});
			await releaseGrades(db, teacher, taskId, learner.id);
		}
		return { schoolId, taskId, criteria, learners: people.map((p) => p.username) };
	}

	const a = await school('a', `${prefix} School A`, 31, cityId);
	const b = await school('b', `${prefix} School B`, 32, cityId);
	const far = await school('far', `${prefix} Far School`, 33, farCityId);

	async function cityAdmin(username: string, ofCity: number) {
		const { id } = await db
			.insertInto('users')
			.values({
				username,
				given_name: 'Cleo',
				family_name: 'Town',
				password_hash: hash,
				password_changed_at: now,
				created_at: now
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await db
			.insertInto('city_admins')
			.values({ city_id: ofCity, user_id: id, created_at: now })
			.execute();
		return id;
	}
	await cityAdmin(`${prefix}-city-admin`, cityId);
	await cityAdmin(`${prefix}-far-city-admin`, farCityId);
	const teacherIds = {
		a: [await userId(db, `${prefix}-a-teacher`), await userId(db, `${prefix}-a-teacher2`)],
		b: [await userId(db, `${prefix}-b-teacher`), await userId(db, `${prefix}-b-teacher2`)],
		far: [await userId(db, `${prefix}-far-teacher`)]
	};
	return { cityId, farCityId, a, b, far, teacherIds };
}
