import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { PDFDocument, PDFName } from 'pdf-lib';
import { strFromU8, unzipSync, zipSync } from 'fflate';
import type { DB } from '../../src/lib/server/db/connection';
import type { SessionUser } from '../../src/lib/server/auth/sessions';
import { listBank } from '../../src/lib/server/criteria/criteria';
import { listScales } from '../../src/lib/server/scales/scales';
import { createTask, setTaskState } from '../../src/lib/server/tasks/tasks';
import { addTaskCriterion } from '../../src/lib/server/tasks/task-criteria';
import { addPeerPair } from '../../src/lib/server/peer/allocation';
import { peerReviewView } from '../../src/lib/server/peer/reviewing';
import {
	learnerAssessmentView,
	saveSelfAssessment,
	submitSelfAssessment
} from '../../src/lib/server/assessment/self-assessment';
import { addEvidence, evidenceFile } from '../../src/lib/server/assessment/evidence';
import { cleanStoredEvidence } from '../../src/lib/server/assessment/clean-stored-evidence';
import { prepareDatabase } from '../../src/lib/server/setup/first-run';
import { Refusal } from '../../src/lib/server/errors';
import { taskSettingsSchema } from '../../src/lib/schemas/tasks';
import { addMarker } from '../../src/lib/server/moderation/moderation';
import { unenrolLearner } from '../../src/lib/server/classes/classes';
import { demoDatabase, sessionUser } from './helpers';

// A child's name and home, as a phone and an office program would write them into a file.
const CHILD = 'Samira Okonkwo';
const FILE_NAME = `${CHILD} at home.jpg`;

let db: DB;
let teacher: SessionUser;
let learner: SessionUser;
let reviewer: SessionUser;
let taskId: number;
let criterionId: number;

/**
 * The learner hands the work in and the teacher gives it to the reviewer: only submitted work is
 * reviewed, so evidence goes up first. Returns the review's allocation.
 */
async function handInForReview(): Promise<number> {
	await saveSelfAssessment(db, learner, taskId, { kind: 'criterion', criterionId, value: 50 });
	await submitSelfAssessment(db, learner, taskId);
	await addPeerPair(db, teacher, taskId, reviewer.id, learner.id);
	return (
		await db
			.selectFrom('peer_allocations')
			.select('id')
			.where('reviewer_id', '=', reviewer.id)
			.executeTakeFirstOrThrow()
	).id;
}

beforeEach(async () => {
	process.env.UPLOADS_DIR = mkdtempSync(join(tmpdir(), 'fusion-uploads-'));
	let schoolId: number;
	({ db, schoolId } = await demoDatabase());
	teacher = await sessionUser(db, 'teacher');
	learner = await sessionUser(db, 'student2');
	reviewer = await sessionUser(db, 'student1');
	const scaleId = (await listScales(db, schoolId)).find((s) =>
		s.name.startsWith('School scale')
	)!.id;
	taskId = await createTask(
		db,
		teacher,
		1,
		taskSettingsSchema.parse({
			title: 'Poster',
			brief: '',
			scaleId,
			selfMarkerVisibility: 'always',
			peerEnabled: 'on',
			peerAllocation: 'manual'
		})
	);
	const bank = await listBank(db, schoolId);
	criterionId = bank.find((c) => c.code === 'C1.1')!.id;
	await addTaskCriterion(db, teacher, taskId, criterionId);
	await setTaskState(db, teacher, taskId, 'published');
});
afterEach(async () => {
	await db.destroy();
	delete process.env.UPLOADS_DIR;
});

async function upload(name: string, bytes: Uint8Array, title = '') {
	return addEvidence(db, learner, taskId, {
		kind: 'file',
		title,
		file: new File([new Uint8Array(bytes)], name)
	});
}

const contains = (bytes: Uint8Array, text: string) => Buffer.from(bytes).includes(text);
/** The EXIF tag 0x8825 points at the GPS IFD (either byte order). */
const hasGpsIfd = (bytes: Uint8Array) =>
	Buffer.from(bytes).includes(Buffer.from([0x25, 0x88])) ||
	Buffer.from(bytes).includes(Buffer.from([0x88, 0x25]));

/** A JPEG as a phone writes it: the photographer's name, the GPS position, rotated by EXIF. */
async function phonePhoto(): Promise<Uint8Array> {
	return new Uint8Array(
		await sharp({ create: { width: 80, height: 40, channels: 3, background: '#c33' } })
			.jpeg()
			.withMetadata({ orientation: 6 })
			.withExifMerge({
				IFD0: { Artist: CHILD, Make: 'PhoneCo' },
				IFD3: {
					GPSLatitudeRef: 'N',
					GPSLatitude: '51/1 30/1 2646/100',
					GPSLongitudeRef: 'W',
					GPSLongitude: '0/1 7/1 3960/100'
				}
			})
			.toBuffer()
	);
}

/** A PNG with a tEXt chunk naming its author, added after IHDR as image programs do. */
async function pngWithAuthor(): Promise<Uint8Array> {
	const png = await sharp({
		create: { width: 20, height: 20, channels: 4, background: '#3c3c' }
	})
		.png()
		.toBuffer();
	const data = Buffer.from(`Author\0${CHILD}`, 'latin1');
	const type = Buffer.from('tEXt', 'latin1');
	const chunk = Buffer.alloc(12 + data.length);
	chunk.writeUInt32BE(data.length, 0);
	type.copy(chunk, 4);
	data.copy(chunk, 8);
	chunk.writeUInt32BE(crc32(Buffer.concat([type, data])) >>> 0, 8 + data.length);
	const afterIhdr = 8 + 25; // signature, then IHDR (4 length + 4 type + 13 data + 4 CRC)
	return new Uint8Array(
		Buffer.concat([png.subarray(0, afterIhdr), chunk, png.subarray(afterIhdr)])
	);
}

/** A PDF whose Info dictionary and XMP stream name the child. */
async function pdfWithAuthor(): Promise<Uint8Array> {
	const pdf = await PDFDocument.create();
	pdf.addPage([200, 200]).drawText('My poster', { x: 20, y: 100 });
	pdf.setAuthor(CHILD);
	pdf.setTitle(`${CHILD}'s poster`);
	pdf.setCreator('Family laptop');
	const xmp = pdf.context.stream(
		`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>${CHILD}</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>`,
		{ Type: 'Metadata', Subtype: 'XML' }
	);
	pdf.catalog.set(PDFName.of('Metadata'), pdf.context.register(xmp));
	return pdf.save({ useObjectStreams: false });
}

/**
 * A Word document (the smallest docx Word opens) whose properties name the child, with `media`
 * (word/media/…) inside it as Word stores pasted photos.
 */
function docxWithAuthor(media: Record<string, Uint8Array> = {}): Uint8Array {
	const xml = (s: string) => new TextEncoder().encode(s);
	return zipSync({
		...Object.fromEntries(
			Object.entries(media).map(([name, bytes]) => [`word/media/${name}`, bytes])
		),
		'[Content_Types].xml': xml(
			'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="jpeg" ContentType="image/jpeg"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>'
		),
		'_rels/.rels': xml(
			'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>'
		),
		'word/document.xml': xml(
			`<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:ins w:id="1" w:author="${CHILD}"><w:r><w:t>My poster</w:t></w:r></w:ins></w:p></w:body></w:document>`
		),
		'docProps/core.xml': xml(
			`<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>${CHILD}</dc:creator><cp:lastModifiedBy>${CHILD}</cp:lastModifiedBy></cp:coreProperties>`
		)
	});
}

describe('evidence files reach peer reviewers without hidden details', () => {
	it('a photo loses its GPS position and author, stays upright, and reaches the reviewer as "Evidence 1.jpg"', async () => {
		const photo = await phonePhoto();
		const before = await sharp(photo).metadata();
		expect(before.orientation).toBe(6);
		expect(hasGpsIfd(before.exif!)).toBe(true);
		expect(contains(photo, CHILD)).toBe(true);

		const id = await upload(FILE_NAME, photo);
		await handInForReview();
		const got = await evidenceFile(db, reviewer, id);
		const after = await sharp(got.bytes).metadata();
		expect(got.mime).toBe('image/jpeg');
		expect(after.exif).toBeUndefined();
		expect(after.xmp).toBeUndefined();
		expect(after.iptc).toBeUndefined();
		expect(after.orientation).toBeUndefined();
		// EXIF orientation 6 (turn 90°) was applied to the pixels before the tag went.
		expect([after.width, after.height]).toEqual([40, 80]);
		expect(contains(got.bytes, CHILD)).toBe(false);
		expect(contains(got.bytes, 'PhoneCo')).toBe(false);
		expect(contains(got.bytes, 'Exif')).toBe(false);
		expect(hasGpsIfd(got.bytes.subarray(0, 2048))).toBe(false);
		expect(got.fileName).toBe('Evidence 1.jpg');

		// The learner and their teacher keep the name the file had (its bytes are the cleaned ones).
		expect((await evidenceFile(db, learner, id)).fileName).toBe(FILE_NAME);
		expect((await evidenceFile(db, teacher, id)).fileName).toBe(FILE_NAME);
		expect(contains((await evidenceFile(db, teacher, id)).bytes, CHILD)).toBe(false);
	});

	it('a PNG loses its tEXt Author chunk', async () => {
		const png = await pngWithAuthor();
		expect(contains(png, CHILD)).toBe(true);
		expect((await sharp(png).metadata()).width).toBe(20); // the fixture is a valid PNG
		const id = await upload('poster.png', png);
		await handInForReview();
		const got = await evidenceFile(db, reviewer, id);
		expect(got.mime).toBe('image/png');
		expect(contains(got.bytes, CHILD)).toBe(false);
		expect(contains(got.bytes, 'tEXt')).toBe(false);
		expect(contains(got.bytes, 'Author')).toBe(false);
	});

	it('a PDF loses its /Author, Info dictionary and XMP metadata', async () => {
		const pdf = await pdfWithAuthor();
		expect(contains(pdf, CHILD)).toBe(true);
		const id = await upload(`${CHILD} poster.pdf`, pdf);
		await handInForReview();
		const got = await evidenceFile(db, reviewer, id);
		expect(got.mime).toBe('application/pdf');
		expect(contains(got.bytes, CHILD)).toBe(false);
		expect(contains(got.bytes, '/Author')).toBe(false);
		expect(contains(got.bytes, 'Family laptop')).toBe(false);
		expect(contains(got.bytes, 'xmpmeta')).toBe(false);
		const cleaned = await PDFDocument.load(got.bytes, { updateMetadata: false });
		expect(cleaned.getAuthor()).toBeUndefined();
		expect(cleaned.getTitle()).toBeUndefined();
		expect(cleaned.catalog.get(PDFName.of('Metadata'))).toBeUndefined();
		expect(cleaned.getPageCount()).toBe(1);
		expect(got.fileName).toBe('Evidence 1.pdf');
	});

	it('a Word document loses its document properties and tracked-change authors', async () => {
		const docx = docxWithAuthor();
		const id = await upload('essay.docx', docx);
		await handInForReview();
		const got = await evidenceFile(db, reviewer, id);
		expect(got.mime).toBe(
			'application/vnd.openxmlformats-officedocument.wordprocessingml.document'
		);
		const parts = unzipSync(got.bytes);
		expect(Object.keys(parts)).toContain('word/document.xml');
		expect(strFromU8(parts['word/document.xml']!)).toContain('My poster');
		for (const [name, part] of Object.entries(parts))
			expect(strFromU8(part), name).not.toContain(CHILD);
		expect(got.fileName).toBe('Evidence 1.docx');
	});

	it('a photo inside a Word document loses its GPS position and author, as an uploaded one does', async () => {
		const photo = await phonePhoto();
		const docx = docxWithAuthor({ 'image1.jpeg': photo, 'image2.png': await pngWithAuthor() });
		expect(hasGpsIfd((await sharp(photo).metadata()).exif!)).toBe(true);
		const id = await upload('essay.docx', docx);
		await handInForReview();
		const parts = unzipSync((await evidenceFile(db, reviewer, id)).bytes);
		const jpeg = parts['word/media/image1.jpeg']!;
		const png = parts['word/media/image2.png']!;
		const after = await sharp(jpeg).metadata();
		expect(after.format).toBe('jpeg'); // still what [Content_Types].xml says it is
		expect(after.exif).toBeUndefined();
		expect(after.xmp).toBeUndefined();
		expect([after.width, after.height]).toEqual([40, 80]); // upright
		expect(hasGpsIfd(jpeg.subarray(0, 2048))).toBe(false);
		expect(contains(jpeg, 'Exif')).toBe(false);
		expect(contains(jpeg, 'PhoneCo')).toBe(false);
		expect((await sharp(png).metadata()).format).toBe('png');
		expect(contains(png, 'tEXt')).toBe(false);
		for (const [name, part] of Object.entries(parts))
			expect(contains(part, CHILD), name).toBe(false);
	});

	it('refuses an office document whose picture cannot be opened to clean', async () => {
		const broken = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, ...new Array(200).fill(7)]);
		await expect(upload('essay.docx', docxWithAuthor({ 'image1.jpeg': broken }))).rejects.toThrow(
			/hidden details/
		);
		expect(readdirSync(process.env.UPLOADS_DIR!)).toEqual([]);
	});

	it('the review page names files by their place, in the order shown, and holds no original name', async () => {
		await upload(FILE_NAME, await phonePhoto());
		await addEvidence(db, learner, taskId, { kind: 'text', title: 'Notes', body: 'Plan' });
		const pdfId = await upload(`${CHILD} poster.pdf`, await pdfWithAuthor(), 'My poster PDF');
		const view = await peerReviewView(db, reviewer, await handInForReview());
		expect(view.evidence.map((e) => [e.title, e.fileName])).toEqual([
			['Evidence 1.jpg', 'Evidence 1.jpg'],
			['Notes', null],
			['My poster PDF', 'Evidence 2.pdf']
		]);
		expect(JSON.stringify(view)).not.toContain(CHILD);
		expect((await evidenceFile(db, reviewer, pdfId)).fileName).toBe('Evidence 2.pdf');

		// The learner's own page keeps the names.
		const own = await learnerAssessmentView(db, learner, taskId);
		expect(JSON.stringify(own)).toContain(FILE_NAME);
	});

	it('refuses, and stores nothing, a file that cannot be cleaned', async () => {
		const broken = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, ...new Array(200).fill(7)]);
		await expect(upload('broken.jpg', broken)).rejects.toThrow(/hidden details/);
		// An older Office file (Compound File Binary): its property streams cannot be removed.
		const cfb = new Uint8Array(4096);
		cfb.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
		await expect(upload('essay.doc', cfb)).rejects.toThrow(/Older Office files/);
		expect(await db.selectFrom('evidence').select('id').execute()).toEqual([]);
		expect(readdirSync(process.env.UPLOADS_DIR!)).toEqual([]);
	});
});

describe('who may download an evidence file (found by the red-team pass)', () => {
	it('a reviewer, only while the review is theirs to do; a second marker, as the teacher does', async () => {
		const fileId = await upload(FILE_NAME, await phonePhoto());
		await handInForReview();
		expect((await evidenceFile(db, reviewer, fileId)).fileName).toBe('Evidence 1.jpg');

		const second = await sessionUser(db, 'teacher2');
		await expect(evidenceFile(db, second, fileId)).rejects.toMatchObject({ status: 404 });
		await addMarker(db, teacher, taskId, second.id);
		expect((await evidenceFile(db, second, fileId)).fileName).toBe(FILE_NAME);

		await db.updateTable('tasks').set({ peer_enabled: 0 }).where('id', '=', taskId).execute();
		await expect(evidenceFile(db, reviewer, fileId)).rejects.toMatchObject({ status: 404 });
		await db.updateTable('tasks').set({ peer_enabled: 1 }).where('id', '=', taskId).execute();
		await unenrolLearner(db, teacher.schoolId, teacher.id, 1, reviewer.id);
		await expect(evidenceFile(db, reviewer, fileId)).rejects.toMatchObject({ status: 404 });
	});
});

describe('evidence stored before uploads were cleaned', () => {
	const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

	/** A file as an upload stored it before cleaning existed: raw bytes, no `cleaned_at`. */
	async function storedRaw(bytes: Uint8Array, mime: string, name: string) {
		const submission = await db
			.insertInto('submissions')
			.values({
				task_id: taskId,
				learner_id: learner.id,
				self_state: 'submitted',
				self_submitted_at: '2026-01-05T09:00:00.000Z',
				updated_at: '2026-01-05T09:00:00.000Z'
			})
			.onConflict((oc) =>
				oc.columns(['task_id', 'learner_id']).doUpdateSet({ self_state: 'submitted' })
			)
			.returning('id')
			.executeTakeFirstOrThrow();
		// Handed in and given to the reviewer, so only the cleaning stands between them and the file.
		const paired = await db
			.selectFrom('peer_allocations')
			.select('id')
			.where('reviewer_id', '=', reviewer.id)
			.executeTakeFirst();
		if (!paired) await addPeerPair(db, teacher, taskId, reviewer.id, learner.id);
		const storageKey = randomBytes(16).toString('hex');
		writeFileSync(join(process.env.UPLOADS_DIR!, storageKey), bytes);
		const { id } = await db
			.insertInto('evidence')
			.values({
				submission_id: submission.id,
				kind: 'file',
				title: name,
				file_name: name,
				file_mime: mime,
				file_size: bytes.byteLength,
				storage_key: storageKey,
				created_at: '2026-01-05T09:00:00.000Z'
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		return { id, path: join(process.env.UPLOADS_DIR!, storageKey) };
	}

	const row = (id: number) =>
		db
			.selectFrom('evidence')
			.select(['cleaned_at as cleanedAt', 'file_size as fileSize'])
			.where('id', '=', id)
			.executeTakeFirstOrThrow();

	it('every stored file is cleaned at start-up after the migrations, marked, and reaches reviewers clean', async () => {
		const photo = await storedRaw(await phonePhoto(), 'image/jpeg', FILE_NAME);
		const pdf = await storedRaw(await pdfWithAuthor(), 'application/pdf', 'poster.pdf');
		const docx = await storedRaw(
			docxWithAuthor({ 'image1.jpeg': await phonePhoto() }),
			DOCX,
			'essay.docx'
		);
		// Until it is cleaned, an anonymous reviewer is not given it; the teacher still is.
		await expect(evidenceFile(db, reviewer, photo.id)).rejects.toMatchObject({ status: 403 });
		expect(contains((await evidenceFile(db, teacher, photo.id)).bytes, CHILD)).toBe(true);

		const prepared = await prepareDatabase(db, { seedDemo: false, origin: 'http://localhost' });
		expect(prepared.cleanedEvidence).toEqual({ cleaned: 3, uncleanable: 0, missing: 0 });

		for (const { id, path } of [photo, pdf, docx]) {
			const stored = new Uint8Array(readFileSync(path));
			expect(contains(stored, CHILD), `evidence ${id}`).toBe(false);
			const { cleanedAt, fileSize } = await row(id);
			expect(cleanedAt).not.toBeNull();
			expect(fileSize).toBe(stored.byteLength);
		}
		const jpeg = new Uint8Array(readFileSync(photo.path));
		expect((await sharp(jpeg).metadata()).exif).toBeUndefined();
		expect(hasGpsIfd(jpeg.subarray(0, 2048))).toBe(false);
		const embedded = unzipSync(new Uint8Array(readFileSync(docx.path)))['word/media/image1.jpeg']!;
		expect((await sharp(embedded).metadata()).exif).toBeUndefined();
		const got = await evidenceFile(db, reviewer, photo.id);
		expect(got.fileName).toBe('Evidence 1.jpg');
		expect(contains(got.bytes, CHILD)).toBe(false);
		// No temporary file is left beside the cleaned ones.
		expect(readdirSync(process.env.UPLOADS_DIR!).filter((f) => f.includes('.'))).toEqual([]);
	});

	it('runs in chunks, resumes where it stopped, does nothing the second time, and withholds what it cannot clean', async () => {
		const stored = async (count: number) => {
			const made = [];
			for (let i = 0; i < count; i++)
				made.push(await storedRaw(await phonePhoto(), 'image/jpeg', `photo ${i}.jpg`));
			return made;
		};
		const bytesOf = (made: { path: string }[]) => made.map((f) => readFileSync(f.path));
		// A run that stopped after two files: those two are marked, so they are not touched again.
		const early = await stored(2);
		expect(await cleanStoredEvidence(db, { chunkSize: 1 })).toMatchObject({ cleaned: 2 });
		const earlyBytes = bytesOf(early);
		const late = await stored(3);
		const broken = await storedRaw(
			new Uint8Array([0xff, 0xd8, 0xff, 0xe0, ...new Array(200).fill(7)]),
			'image/jpeg',
			'broken.jpg'
		);
		const problems: number[] = [];
		const resumed = await cleanStoredEvidence(db, {
			chunkSize: 2,
			onProblem: (id) => problems.push(id)
		});
		expect(resumed).toEqual({ cleaned: 3, uncleanable: 1, missing: 0 });
		expect(problems).toEqual([broken.id]);
		expect(bytesOf(early)).toEqual(earlyBytes);
		// The next run finds nothing to clean and changes nothing.
		const files = [...early, ...late];
		const allBytes = bytesOf(files);
		expect(await cleanStoredEvidence(db)).toEqual({ cleaned: 0, uncleanable: 1, missing: 0 });
		expect(bytesOf(files)).toEqual(allBytes);
		for (const file of files) {
			expect((await row(file.id)).cleanedAt).not.toBeNull();
			expect(contains(new Uint8Array(readFileSync(file.path)), CHILD)).toBe(false);
		}
		// The file that cannot be cleaned stays as it was: the learner and teacher keep it, an
		// anonymous reviewer is refused it with the reason.
		expect((await row(broken.id)).cleanedAt).toBeNull();
		const refusal = await evidenceFile(db, reviewer, broken.id).catch((e: unknown) => e);
		expect(refusal).toBeInstanceOf(Refusal);
		expect(refusal).toMatchObject({
			status: 403,
			message: expect.stringMatching(/hidden details/)
		});
		await expect(evidenceFile(db, teacher, broken.id)).resolves.toMatchObject({
			mime: 'image/jpeg'
		});
		// New uploads are marked when they are stored, so the clean-up never touches them.
		await db.updateTable('submissions').set({ self_state: 'in_progress' }).execute(); // reopened
		const uploaded = await upload('new.jpg', await phonePhoto());
		expect((await row(uploaded)).cleanedAt).not.toBeNull();
	});
});
