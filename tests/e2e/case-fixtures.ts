/**
 * The demo school's own CASE frameworks (tests/e2e/seed-extras.ts), prefixed `caseadm`: one stays
 * private (the authorisation matrix checks the CASE endpoints refuse everyone outside the school),
 * one the CASE browser check publishes.
 */
export const CASE_PRIVATE = {
	title: 'caseadm private framework',
	document: '00000000-0000-4000-8000-00000000ca01',
	item: '00000000-0000-4000-8000-00000000ca02',
	association: '00000000-0000-4000-8000-00000000ca03'
};
export const CASE_TO_PUBLISH = {
	title: 'caseadm framework to publish',
	document: '00000000-0000-4000-8000-00000000ca11',
	item: '00000000-0000-4000-8000-00000000ca12',
	association: '00000000-0000-4000-8000-00000000ca13'
};

/** A one-item CASE package of the school's own. */
export function caseFixturePackage(f: typeof CASE_PRIVATE) {
	return {
		CFDocument: { identifier: f.document, title: f.title, creator: 'caseadm fixture' },
		CFItems: [{ identifier: f.item, fullStatement: `${f.title}: the one item` }],
		CFAssociations: [
			{
				identifier: f.association,
				associationType: 'isChildOf',
				originNodeURI: { identifier: f.item },
				destinationNodeURI: { identifier: f.document }
			}
		]
	};
}
