import { describe, expect, it } from 'vitest';
import { render } from 'svelte/server';
import ModerationPage from '../../src/routes/teacher/tasks/[taskId]/moderation/+page.svelte';
import ModerationLearnerPage from '../../src/routes/teacher/tasks/[taskId]/moderation/[learnerId]/+page.svelte';
import ProfileView from '../../src/lib/components/profiles/ProfileView.svelte';
import { DEFAULT_SCHOOL_SCALE } from '../../src/lib/domain/scales';
import { calibrationTrend } from '../../src/lib/domain/profiles';

/**
 * Figures shown with their working (issue 13 item 16): each peer median with how many reviews
 * counted and were excluded, and the profile's "Change" and calibration trend with their formula
 * and inputs. Rendered on the server with the fields each page reads.
 */
const text = (html: string) =>
	html
		.replace(/<[^>]*>/g, ' ')
		.replace(/&amp;/g, '&')
		.replace(/\s+/g, ' ');
const bands = DEFAULT_SCHOOL_SCALE.bands; // Not yet, Emerging, Developing, Secure, Excelling

const cell = {
	criterionId: 7,
	self: 50,
	peer: 65,
	teacher: 70,
	teacherSource: 'marker',
	selfBand: 'Developing',
	peerBand: 'Secure',
	teacherBand: 'Secure',
	selfGap: -1,
	peerGap: 0,
	peerCounted: 3,
	peerExcluded: 1,
	peerMissing: 2,
	peerRange: { min: 45, max: 75 },
	flagged: false
};
const moderation = {
	task: { id: 1, title: 'Pitch' },
	bands,
	criteria: [{ criterionId: 7, code: 'C1.1', title: 'Ideas', colour: '#333' }],
	rows: [{ learnerId: 5, name: 'Ada Lovelace', cells: [cell], flagged: false }],
	totalLearners: 1,
	view: { sort: 'name', band: '', flagged: false },
	distributions: [],
	markers: [],
	teachers: [],
	markerPairs: []
};

describe('peer medians show what they rest on', () => {
	it('the matrix gives each median its count and exclusions', () => {
		const page = text(
			render(ModerationPage, { props: { data: moderation, form: null } as never }).body
		);
		expect(page).toContain('Secure (0) median of 3, 1 excluded');
	});
	it('the learner view gives the count, the range, the excluded and the missing', () => {
		const data = {
			...moderation,
			learner: { id: 5, name: 'Ada Lovelace' },
			row: moderation.rows[0],
			markerGrades: [],
			agreed: []
		};
		let page = text(render(ModerationLearnerPage, { props: { data, form: null } as never }).body);
		expect(page).toContain(
			'Peer consensus: Secure — the median of 3 counted reviews (from Developing to Secure); 1 excluded by a teacher; 2 allocated but not submitted.'
		);
		const none = { ...cell, peer: null, peerCounted: 0, peerExcluded: null, peerRange: null };
		page = text(
			render(ModerationLearnerPage, {
				props: { data: { ...data, row: { ...data.row, cells: [none] } }, form: null } as never
			}).body
		);
		expect(page).toContain(
			'Peer consensus: — (no counted review: only submitted reviews that nobody excluded count)'
		);
	});
});

describe('the profile’s Change and trend show their formula and inputs', () => {
	const calibration = [
		{
			taskId: 1,
			taskTitle: 'A',
			releasedAt: '2026-10-01',
			meanSignedGap: 0.8,
			meanAbsoluteGap: 0.8,
			compared: 2
		},
		{
			taskId: 2,
			taskTitle: 'B',
			releasedAt: '2026-11-01',
			meanSignedGap: 0.5,
			meanAbsoluteGap: 0.5,
			compared: 2
		},
		{
			taskId: 3,
			taskTitle: 'C',
			releasedAt: '2027-01-10',
			meanSignedGap: -0.2,
			meanAbsoluteGap: 0.2,
			compared: 2
		}
	];
	const skill = (id: number, code: string, title: string, trend: number | null) => ({
		id,
		code,
		title,
		level: 0.6,
		selfLevel: 0.5,
		words: 'Secure',
		selfWords: 'Developing',
		evidenceCount: 2,
		tasks: [],
		weight: 1,
		trend,
		inputs: []
	});
	const profile = {
		learner: { id: 5, name: 'Ada Lovelace', givenName: 'Ada', classes: [] },
		levelLabels: bands.map((b) => b.label),
		skills: [skill(1, 'FS-01', 'Creativity', 0.15), skill(2, 'FS-02', 'Curiosity', null)],
		capri: [],
		terms: [
			{ label: 'Autumn 2026–27', levels: [0.45, 0.5] },
			{ label: 'Spring 2026–27', levels: [0.6, null] }
		],
		calibration,
		calibrationTrend: calibrationTrend(calibration),
		peerReviewing: [],
		liveSessions: [],
		resultCount: 4
	};
	const page = text(
		render(ProfileView, { props: { profile, isOwn: true, interactive: false } as never }).body
	);

	it('Change: latest term − first term with evidence, and the words for it', () => {
		expect(page).toContain('How is “Change” worked out?');
		expect(page).toContain(
			'FS-01 Creativity: 0.600 (Spring 2026–27) − 0.450 (Autumn 2026–27) = +0.15: ↑ up'
		);
		// Curiosity has evidence in one term only: no working, no change.
		expect(page).not.toContain('FS-02 Curiosity: ');
	});
	it('trend: the least-squares slope of the distances, with the distances it used', () => {
		expect(calibrationTrend(calibration)).toBe(-0.3); // (−1·0.8 + 0 + 1·0.2) ÷ 2
		expect(page).toContain('How is the trend worked out?');
		expect(page).toContain(
			'Σ(task − mean task) × (distance − mean distance) ÷ Σ(task − mean task)²'
		);
		expect(page).toContain(
			'Here: distances 1: 0.80, 2: 0.50, 3: 0.20 → slope -0.30 bands per task.'
		);
		expect(page).toContain('Getting closer to the teacher’s judgement over time.');
	});
});
