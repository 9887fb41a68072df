import { unzipSync } from 'fflate';
import { NEVER_READ, ROSTER_FILES, oneRosterFileName } from '../../domain/oneroster';

/**
 * What the roster page accepts: CSV files, or a OneRoster bundle as one zip (as SIS exports
 * deliver it), unpacked here with fflate. The zip is capped before anything is inflated: fflate
 * inflates each entry into a buffer of the size its header declares and never past it, so capping
 * the declared sizes caps the memory a crafted zip (a "zip bomb") can take.
 */

export const MAX_ROSTER_FILE_BYTES = 2 * 1024 * 1024;
/** a district's full bundle: all the files together, unpacked */
export const MAX_BUNDLE_BYTES = 8 * 1024 * 1024;
/** the binding defines 21 data files and the manifest; a few more for folders and readme files */
export const MAX_ZIP_ENTRIES = 40;
export const MAX_ROSTER_FILES = 24;

export interface UploadedCsv {
	fileName: string;
	text: string;
}

export interface RosterUpload {
	name: string;
	bytes: Uint8Array;
}

/** A file the upload had that is not carried on (with why): shown with the preview. */
export interface LeftOut {
	fileName: string;
	reason: string;
}

const isZip = (upload: RosterUpload) =>
	upload.name.toLowerCase().endsWith('.zip') ||
	(upload.bytes[0] === 0x50 && upload.bytes[1] === 0x4b && upload.bytes[2] === 0x03);

/**
 * The CSV files of an upload, each as text: a zip's entries (folders inside it are flattened, as a
 * bundle is one set of files), then the files chosen one by one. Files of a bundle that are not
 * roster data (gradebook results, resources) are left out, and demographics.csv is never read:
 * nothing of them reaches the page. A problem refuses the whole upload.
 */
export function unpackRosterUpload(
	uploads: RosterUpload[]
): { files: UploadedCsv[]; leftOut: LeftOut[] } | { problem: string } {
	const decoder = new TextDecoder('utf-8', { fatal: true });
	const files: UploadedCsv[] = [];
	const leftOut: LeftOut[] = [];
	let total = 0;
	const take = (fileName: string, bytes: Uint8Array): string | null => {
		const name = oneRosterFileName(fileName);
		const base = fileName.split(/[\\/]/).pop() ?? fileName;
		if (name && name !== 'manifest' && NEVER_READ.has(name)) {
			leftOut.push({ fileName: base, reason: 'not read: the app keeps no demographic data' });
			return null;
		}
		if (name && name !== 'manifest' && !ROSTER_FILES.has(name)) {
			leftOut.push({ fileName: base, reason: 'not read: not roster data' });
			return null;
		}
		if (bytes.length > MAX_ROSTER_FILE_BYTES)
			return `${base} is larger than 2 MB. Split it into smaller files.`;
		total += bytes.length;
		if (total > MAX_BUNDLE_BYTES) return 'The files are larger than 8 MB together.';
		if (files.some((f) => f.fileName.toLowerCase() === base.toLowerCase()))
			return `${base} is in the upload twice.`;
		let text: string;
		try {
			text = decoder.decode(bytes);
		} catch {
			return `${base} is not UTF-8 text. Save it as CSV (UTF-8) and try again.`;
		}
		files.push({ fileName: base, text });
		return null;
	};

	for (const upload of uploads) {
		if (!isZip(upload)) {
			const problem = take(upload.name, upload.bytes);
			if (problem) return { problem };
			continue;
		}
		let entries: Record<string, Uint8Array>;
		try {
			let declared = 0;
			let count = 0;
			entries = unzipSync(upload.bytes, {
				filter(entry) {
					count++;
					if (count > MAX_ZIP_ENTRIES) throw new Error('entries');
					// Only CSV files are inflated; macOS's __MACOSX shadow copies are skipped.
					if (!entry.name.toLowerCase().endsWith('.csv') || entry.name.includes('__MACOSX'))
						return false;
					if (entry.originalSize > MAX_ROSTER_FILE_BYTES) throw new Error('entry');
					declared += entry.originalSize;
					if (declared > MAX_BUNDLE_BYTES) throw new Error('total');
					return true;
				}
			});
		} catch (e) {
			const why = (e as Error).message;
			return {
				problem:
					why === 'entries'
						? `${upload.name} holds more than ${MAX_ZIP_ENTRIES} files: a OneRoster bundle has at most 22.`
						: why === 'entry' || why === 'total'
							? `${upload.name} unpacks to more than the import can take (2 MB a file, 8 MB in all).`
							: `${upload.name} is not a readable zip file.`
			};
		}
		const names = Object.keys(entries);
		if (names.length === 0) return { problem: `${upload.name} holds no CSV files.` };
		for (const name of names.sort()) {
			const problem = take(name, entries[name]!);
			if (problem) return { problem };
		}
	}
	if (files.length > MAX_ROSTER_FILES)
		return { problem: `Upload at most ${MAX_ROSTER_FILES} files at once.` };
	return { files, leftOut };
}
