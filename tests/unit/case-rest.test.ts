import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import type { DB } from '../../src/lib/server/db/connection';
import { closeDb } from '../../src/lib/server/db/connection';
import type { SessionUser } from '../../src/lib/server/auth/sessions';
import {
	exportCasePackage,
	importCasePackage,
	setFrameworkPublished
} from '../../src/lib/server/frameworks/frameworks';
import { schoolOfSize } from '../../src/lib/server/db/seed';
import { CAPRI, FUSION_SKILLS } from '../../src/lib/domain/frameworks';
import { discoverRoutes } from '../e2e/routes';
import { demoDatabase, prefixedSchool, serveAppFrom, sessionUser, userId } from './helpers';

/**
 * The CASE 1.1 REST endpoints and every `uri` a package names, fetched through the app's own route
 * tree (each path matched against src/routes as SvelteKit does, and the route's GET called with
 * the caller's session), and checked against 1EdTech's schemas (tests/fixtures/standards/case).
 */
const ORIGIN = 'https://skills.example.org';
const schema = (name: string) =>
	JSON.parse(
		readFileSync(
			new URL(
				`../fixtures/standards/case/v1p1/case_v1p1_${name}-jsonschema1.json`,
				import.meta.url
			),
			'utf8'
		)
	);
const ajv = new Ajv2019({ strict: false, allErrors: true });
addFormats(ajv);
const validators = {
	CFPackage: ajv.compile(schema('cfpackage')),
	CFDocument: ajv.compile(schema('cfdocument')),
	CFItem: ajv.compile(schema('cfitem')),
	CFAssociation: ajv.compile(schema('cfassociation'))
};
function conforms(kind: keyof typeof validators, body: unknown): string | true {
	const validate = validators[kind];
	return validate(body) || JSON.stringify(validate.errors?.slice(0, 3));
}

/** GET endpoints under src/routes, most specific (fewest parameters) first. */
const endpoints = discoverRoutes()
	.filter((r) => r.kind === 'endpoint' && r.name === 'GET')
	.map((r) => {
		const names: string[] = [];
		const pattern = r.id.replace(/\[(\w+)\]/g, (_, name: string) => {
			names.push(name);
			return '([^/]+)';
		});
		return { id: r.id, names, regex: new RegExp(`^${pattern}$`) };
	})
	.sort((a, b) => a.names.length - b.names.length);

/** The app's answer to GET `address` for `user` (null: signed out). */
async function appGet(address: string, user: SessionUser | null) {
	const url = new URL(address);
	expect(url.origin, address).toBe(ORIGIN);
	const route = endpoints.find((e) => e.regex.test(url.pathname));
	if (!route) return { status: 404, body: null, cacheControl: null };
	const values = route.regex.exec(url.pathname)!.slice(1);
	const params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(values[i]!)]));
	const module = await import(
		pathToFileURL(resolve(`src/routes${route.id === '/' ? '' : route.id}/+server.ts`)).href
	);
	const response: Response = await module.GET({
		params,
		url,
		locals: { user, session: null },
		request: new Request(url)
	});
	return {
		status: response.status,
		body: await response.json(),
		cacheControl: response.headers.get('cache-control')
	};
}

const api = (path: string) => `${ORIGIN}/ims/case/v1p1/${path}`;

/** Every uri a package names (document, items, associations and their ends), with what it is. */
function urisOf(pkg: {
	CFDocument: { uri: string; identifier: string };
	CFItems: { uri: string; identifier: string }[];
	CFAssociations: {
		uri: string;
		identifier: string;
		originNodeURI: { uri: string; identifier: string };
		destinationNodeURI: { uri: string; identifier: string };
	}[];
}) {
	const found = new Map<string, { kind: 'CFDocument' | 'CFItem' | 'CFAssociation'; id: string }>();
	found.set(pkg.CFDocument.uri, { kind: 'CFDocument', id: pkg.CFDocument.identifier });
	for (const item of pkg.CFItems) found.set(item.uri, { kind: 'CFItem', id: item.identifier });
	for (const a of pkg.CFAssociations) {
		found.set(a.uri, { kind: 'CFAssociation', id: a.identifier });
		for (const end of [a.originNodeURI, a.destinationNodeURI])
			if (!found.has(end.uri))
				found.set(end.uri, {
					kind: end.identifier === pkg.CFDocument.identifier ? 'CFDocument' : 'CFItem',
					id: end.identifier
				});
	}
	return found;
}

let db: DB;
let schoolId: number;
let member: SessionUser;
let otherAdmin: SessionUser;
/** The demo school's own copy of CAPRI (new identifiers, crosswalk to the shared Fusion Skills). */
let ownCapri: string;

beforeAll(async () => {
	({ db, schoolId } = await demoDatabase());
	// The routes open the app's own connection: the same database.
	serveAppFrom(db);
	member = await sessionUser(db, 'student1');
	await prefixedSchool(db, 'other', schoolOfSize(4, 1, 7));
	otherAdmin = await sessionUser(db, 'other-admin');

	// Our own package of CAPRI under new identifiers and without URIs or association identifiers,
	// as a school writes one by hand: its URIs become ours.
	const capri = (await exportCasePackage(db, CAPRI.identifier, ORIGIN, schoolId))!;
	let text = JSON.stringify({ ...capri, CFDocument: { ...capri.CFDocument, title: 'Our CAPRI' } });
	for (const id of [capri.CFDocument.identifier, ...capri.CFItems.map((i) => i.identifier)])
		text = text.replaceAll(id, randomUUID());
	const own = JSON.parse(text, (key, value) => (key === 'uri' ? undefined : value));
	for (const a of own.CFAssociations) delete a.identifier;
	ownCapri = own.CFDocument.identifier;
	await importCasePackage(db, schoolId, await userId(db, 'admin'), own);
});
afterAll(async () => {
	await closeDb();
	await db.destroy();
});

describe('CASE 1.1 REST endpoints', () => {
	it('serve the shared frameworks to anyone, each answer valid under 1EdTech’s schema', async () => {
		const list = await appGet(api('CFDocuments'), null);
		expect(list.status).toBe(200);
		expect(Object.keys(list.body)).toEqual(['CFDocuments']);
		const listed = list.body.CFDocuments.map((d: { identifier: string }) => d.identifier);
		expect(listed).toEqual(expect.arrayContaining([FUSION_SKILLS.identifier, CAPRI.identifier]));
		expect(listed).not.toContain(ownCapri);
		for (const doc of list.body.CFDocuments) expect(conforms('CFDocument', doc)).toBe(true);

		for (const framework of [FUSION_SKILLS.identifier, CAPRI.identifier]) {
			const pkg = await appGet(api(`CFPackages/${framework}`), null);
			expect(pkg.status).toBe(200);
			expect(pkg.cacheControl).toMatch(/public/);
			expect(conforms('CFPackage', pkg.body)).toBe(true);
			const doc = await appGet(api(`CFDocuments/${framework}`), null);
			expect(conforms('CFDocument', doc.body)).toBe(true);
			expect(doc.body.CFPackageURI.uri).toBe(api(`CFPackages/${framework}`));
		}
	});

	it('every uri in an exported package answers 200 with that object, valid under its schema', async () => {
		for (const [framework, viewer] of [
			[FUSION_SKILLS.identifier, null],
			[CAPRI.identifier, null],
			[ownCapri, member]
		] as const) {
			const pkg = (await appGet(api(`CFPackages/${framework}`), viewer)).body;
			const uris = urisOf(pkg);
			// CAPRI and the school's copy carry their crosswalk as isRelatedTo associations.
			if (framework !== FUSION_SKILLS.identifier)
				expect(
					pkg.CFAssociations.filter(
						(a: { extensions?: { crosswalkWeight?: number } }) => a.extensions?.crosswalkWeight
					).length
				).toBeGreaterThan(0);
			expect(uris.size).toBeGreaterThan(pkg.CFItems.length);
			for (const [uri, { kind, id }] of uris) {
				const answer = await appGet(uri, viewer);
				expect(answer.status, uri).toBe(200);
				expect(answer.body.identifier ?? answer.body.CFDocument?.identifier, uri).toBe(id);
				expect(conforms(kind, answer.body), `${kind} ${uri}`).toBe(true);
			}
		}
	});

	it('a crosswalk association goes out with extensions.crosswalkWeight, which the CFAssociation schema accepts', async () => {
		const pkg = (await appGet(api(`CFPackages/${CAPRI.identifier}`), null)).body;
		const weighted = pkg.CFAssociations.find(
			(a: { associationType: string }) => a.associationType === 'isRelatedTo'
		);
		expect(weighted.extensions.crosswalkWeight).toBeGreaterThan(0);
		const alone = await appGet(weighted.uri, null);
		expect(alone.body).toMatchObject({
			associationType: 'isRelatedTo',
			extensions: { crosswalkWeight: weighted.extensions.crosswalkWeight },
			CFDocumentURI: { identifier: CAPRI.identifier }
		});
		expect(conforms('CFAssociation', alone.body)).toBe(true);
	});

	it('a school’s private framework answers 404 to anyone else until its admin publishes it', async () => {
		const pkg = (await appGet(api(`CFPackages/${ownCapri}`), member)).body;
		// Its own objects (the crosswalk's ends among the shared Fusion Skills stay public).
		const ownUris = [...urisOf(pkg).keys()].filter((uri) => {
			const id = uri.split('/').at(-1)!;
			return (
				id === ownCapri ||
				pkg.CFItems.some((i: { identifier: string }) => i.identifier === id) ||
				pkg.CFAssociations.some((a: { identifier: string }) => a.identifier === id)
			);
		});
		expect(ownUris.length).toBeGreaterThan(40);
		const statuses = async (who: SessionUser | null) =>
			new Set(await Promise.all(ownUris.map(async (uri) => (await appGet(uri, who)).status)));
		expect(await statuses(null)).toEqual(new Set([404]));
		expect(await statuses(otherAdmin)).toEqual(new Set([404]));
		expect(await statuses(member)).toEqual(new Set([200]));
		expect((await appGet(api(`CFPackages/${ownCapri}`), member)).cacheControl).toMatch(/no-store/);
		expect((await appGet(`${ORIGIN}/frameworks/${ownCapri}`, null)).status).toBe(404);
		const hidden = await appGet(api(`CFDocuments/${ownCapri}`), otherAdmin);
		expect(hidden.body).toMatchObject({ imsx_codeMajor: 'failure' });
		expect(
			(await appGet(api('CFDocuments'), member)).body.CFDocuments.map(
				(d: { identifier: string }) => d.identifier
			)
		).toContain(ownCapri);

		const admin = await userId(db, 'admin');
		await setFrameworkPublished(db, schoolId, admin, ownCapri, true);
		expect(await statuses(null)).toEqual(new Set([200]));
		expect(await statuses(otherAdmin)).toEqual(new Set([200]));
		expect((await appGet(api(`CFPackages/${ownCapri}`), null)).cacheControl).toMatch(/public/);
		expect(
			(await appGet(api('CFDocuments'), null)).body.CFDocuments.map(
				(d: { identifier: string }) => d.identifier
			)
		).toContain(ownCapri);
		// Only its own school's admin may publish or withdraw it; shared ones are always public.
		const otherId = otherAdmin.schoolId;
		await expect(
			setFrameworkPublished(db, otherId, otherAdmin.id, ownCapri, false)
		).rejects.toThrow(/No framework of your school/);
		await expect(
			setFrameworkPublished(db, schoolId, admin, CAPRI.identifier, false)
		).rejects.toThrow(/always public/);
		await setFrameworkPublished(db, schoolId, admin, ownCapri, false);
		expect(await statuses(null)).toEqual(new Set([404]));
	});

	it('keeps answering the URIs of earlier exports and badge alignments', async () => {
		const skill = FUSION_SKILLS.items[0]!.identifier;
		const aligned = await appGet(`${ORIGIN}/frameworks/items/${skill}`, null);
		expect(aligned.status).toBe(200);
		expect(aligned.body).toEqual((await appGet(api(`CFItems/${skill}`), null)).body);
		expect(aligned.body.uri).toBe(`${ORIGIN}/frameworks/items/${skill}`);
		const pkg = (await appGet(`${ORIGIN}/frameworks/${FUSION_SKILLS.identifier}`, null)).body;
		expect(conforms('CFPackage', pkg)).toBe(true);
		// Association URIs of packages exported before the REST endpoints existed.
		const association = pkg.CFAssociations[0];
		const old = await appGet(
			`${ORIGIN}/frameworks/${FUSION_SKILLS.identifier}/associations/${association.identifier}`,
			null
		);
		expect(old.status).toBe(200);
		expect(old.body.identifier).toBe(association.identifier);
		// A sourcedId that is not a UUID, or unknown, is CASE's 404.
		for (const id of ['not-a-uuid', randomUUID()])
			expect((await appGet(api(`CFItems/${id}`), null)).status).toBe(404);
	});

	it('an imported real package keeps its publisher’s URIs when served and re-exported', async () => {
		const ccss = JSON.parse(
			readFileSync(
				new URL(
					'../fixtures/standards/case/samples/opensalt-what-standards-could-be-ccss.json',
					import.meta.url
				),
				'utf8'
			)
		);
		await importCasePackage(db, schoolId, null, ccss);
		const served = await appGet(api(`CFPackages/${ccss.CFDocument.identifier}`), member);
		expect(served.status).toBe(200);
		expect(conforms('CFPackage', served.body)).toBe(true);
		expect(served.body.CFDocument.uri).toBe(ccss.CFDocument.uri);
		const item = ccss.CFItems[0];
		const alone = await appGet(api(`CFItems/${item.identifier}`), member);
		expect(alone.body.uri).toBe(item.uri);
		expect(conforms('CFItem', alone.body)).toBe(true);
		for (const a of ccss.CFAssociations) {
			const answer = await appGet(api(`CFAssociations/${a.identifier}`), member);
			expect(answer.status, a.associationType).toBe(200);
			expect(answer.body.uri).toBe(a.uri);
			expect(conforms('CFAssociation', answer.body), a.associationType).toBe(true);
		}
	});
});
