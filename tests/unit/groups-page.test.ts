import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { render } from 'svelte/server';
import GroupsPage from '../../src/routes/teacher/tasks/[taskId]/groups/+page.svelte';
import TaskSettingsForm from '../../src/lib/components/tasks/TaskSettingsForm.svelte';
import { CONTRIBUTION_RULES, groupContribution } from '../../src/lib/domain/group-contribution';

/**
 * The groups page says what is computed in the words of `CONTRIBUTION_RULES` (the one place they
 * live), shows the working with the task's penalty, and docs/PEER-AND-MODERATION.md says the same.
 * Rendered on the server, with WebPA's published worked example: Elaine gave no ratings.
 */
const names = ['Alice', 'Bob', 'Claire', 'David', 'Elaine'];
const given = [
	[4, 4, 3, 2, 1],
	[3, 5, 3, 2, 0],
	[4, 4, 4, 4, 4],
	[3, 5, 4, 3, 1]
];
const ratings = given.flatMap((row, rater) =>
	row.map((rating, ratee) => ({ raterId: rater + 1, rateeId: ratee + 1, rating }))
);
const text = (html: string) =>
	html
		.replace(/<[^>]*>/g, ' ')
		.replace(/&amp;/g, '&')
		.replace(/\s+/g, ' ');
const oneLine = (s: string) => s.replace(/\s+/g, ' ');

function renderPage(penalty: number) {
	const memberIds = names.map((_, i) => i + 1);
	const data = {
		task: {
			id: 1,
			title: 'Pitch',
			groupTask: true,
			state: 'published',
			nonSubmitterPenaltyPercent: penalty
		},
		ungrouped: [],
		groups: [
			{
				id: 1,
				name: 'Team A',
				members: names.map((name, i) => ({ id: i + 1, name })),
				ratings: ratings.map((r) => ({ groupId: 1, ...r })),
				contribution: groupContribution(memberIds, ratings, penalty)
			}
		]
	};
	// The page's props are SvelteKit's generated types; these are the fields it reads.
	return text(render(GroupsPage, { props: { data, form: null } as never }).body);
}

describe('the groups page tells what is computed', () => {
	it('states the rules in the domain’s words, never that nobody gains from silence', () => {
		const page = renderPage(0);
		for (const words of Object.values(CONTRIBUTION_RULES)) expect(page).toContain(oneLine(words));
		expect(page).not.toMatch(/nobody gains|gain nothing|gains nothing/i);
		expect(page).toContain('none (0%)');
		expect(page).toContain('No score was reduced.');
		// The working of WebPA for each member, to three decimals.
		expect(page).toContain('Alice: 4/14 + 3/13 + 4/20 + 3/16 = 0.904; × 5 ÷ 4 = 1.130');
		expect(page).toContain('Claire: 3/14 + 3/13 + 4/20 + 4/16 = 0.895; × 5 ÷ 4 = 1.119');
		expect(page).toContain('Elaine: 1/14 + 0/13 + 4/20 + 1/16 = 0.334; × 5 ÷ 4 = 0.417');
	});

	it('shows the penalty with its working: who was penalised and by how much', () => {
		const page = renderPage(10);
		expect(page).toContain('10% off a non-submitter’s WebPA score');
		expect(page).toContain('Elaine did not rate: 0.417 × (1 − 10 ÷ 100) = 0.375 (−0.042)');
		expect(page).toContain('−0.042 (10%)');
		expect(page).not.toMatch(/(Alice|Bob|Claire|David) did not rate/);
	});

	it('the docs say the same words', () => {
		// The rules are quoted there as blocks: read them without the quote marks.
		const docs = oneLine(
			readFileSync('docs/PEER-AND-MODERATION.md', 'utf8').replace(/^\s*> ?/gm, '')
		);
		for (const words of Object.values(CONTRIBUTION_RULES)) expect(docs).toContain(oneLine(words));
		expect(docs).not.toMatch(/nobody gains|gain nothing|gains nothing/i);
	});
});

describe('the task settings carry the penalty for not rating', () => {
	const form = (values: Record<string, unknown>, errors: Record<string, string> = {}) =>
		render(TaskSettingsForm, {
			props: { action: '?/settings', scales: [], values, errors, submitLabel: 'Save settings' }
		}).body;
	it('is a 0–100 field beside “Group task”, kept as a hidden value while peer work is off', () => {
		const on = form({ peerEnabled: 1, groupTask: 1, nonSubmitterPenaltyPercent: 10 });
		expect(on).toMatch(
			/Group task: members[\s\S]*<label for="nonSubmitterPenaltyPercent">Penalty for not rating the team \(%\)<\/label>/
		);
		expect(on).toMatch(
			/<input[^>]*name="nonSubmitterPenaltyPercent"[^>]*type="number"[^>]*min="0"[^>]*max="100"[^>]*value="10"/
		);
		const off = form({ peerEnabled: 0, nonSubmitterPenaltyPercent: 25 });
		expect(off).toMatch(/<input type="hidden" name="nonSubmitterPenaltyPercent" value="25"/);
		// A new task starts with no penalty; a refused value says why beside the field.
		expect(form({ peerEnabled: 1 })).toMatch(/name="nonSubmitterPenaltyPercent"[^>]*value="0"/);
		expect(
			text(
				form(
					{ peerEnabled: 1 },
					{ nonSubmitterPenaltyPercent: 'The penalty for not rating cannot be above 100%.' }
				)
			)
		).toContain('The penalty for not rating cannot be above 100%.');
	});
});
