/**
 * What learners may upload as evidence. Types are decided from the file's own bytes (sniffed on the
 * server), never from its name or the browser's claim, so a script renamed to .png is refused.
 */
export const MAX_EVIDENCE_BYTES = 10 * 1024 * 1024;
export const MAX_EVIDENCE_PER_SUBMISSION = 20;

interface AllowedType {
	label: string;
	/** the extension a neutral name ("Evidence 1.png") gets */
	extension: string;
	/** served inline (the browser shows it) or as a download */
	inline: boolean;
}

export const ALLOWED_EVIDENCE_TYPES: Record<string, AllowedType> = {
	'image/png': { extension: 'png', label: 'PNG image', inline: true },
	'image/jpeg': { extension: 'jpg', label: 'JPEG image', inline: true },
	'image/gif': { extension: 'gif', label: 'GIF image', inline: true },
	'image/webp': { extension: 'webp', label: 'WebP image', inline: true },
	'application/pdf': { extension: 'pdf', label: 'PDF document', inline: true },
	'application/vnd.openxmlformats-officedocument.wordprocessingml.document': {
		extension: 'docx',
		label: 'Word document',
		inline: false
	},
	'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
		extension: 'xlsx',
		label: 'Excel spreadsheet',
		inline: false
	},
	'application/vnd.openxmlformats-officedocument.presentationml.presentation': {
		extension: 'pptx',
		label: 'PowerPoint presentation',
		inline: false
	},
	'application/vnd.oasis.opendocument.text': {
		extension: 'odt',
		label: 'OpenDocument text',
		inline: false
	},
	'application/vnd.oasis.opendocument.spreadsheet': {
		extension: 'ods',
		label: 'OpenDocument spreadsheet',
		inline: false
	},
	'application/vnd.oasis.opendocument.presentation': {
		extension: 'odp',
		label: 'OpenDocument presentation',
		inline: false
	}
	// Older .doc/.xls/.ppt files (Compound File Binary containers) are not accepted: their author
	// and company sit in property streams we cannot remove safely, and evidence reaches anonymous
	// reviewers.
};

export const EVIDENCE_ACCEPT_ATTRIBUTE =
	'.png,.jpg,.jpeg,.gif,.webp,.pdf,.docx,.xlsx,.pptx,.odt,.ods,.odp';

export type UploadVerdict =
	{ ok: true; mime: string; inline: boolean } | { ok: false; message: string };

export function judgeUpload(input: {
	size: number;
	sniffedMime: string | undefined;
}): UploadVerdict {
	if (input.size === 0) return { ok: false, message: 'That file is empty.' };
	if (input.size > MAX_EVIDENCE_BYTES) {
		return {
			ok: false,
			message: `That file is ${formatBytes(input.size)}; the limit is ${formatBytes(MAX_EVIDENCE_BYTES)}.`
		};
	}
	if (input.sniffedMime === 'application/x-cfb')
		return {
			ok: false,
			message:
				'Older Office files (.doc, .xls, .ppt) cannot be uploaded, because the name of whoever wrote them cannot be removed. Save it as .docx, .xlsx, .pptx or PDF and upload that.'
		};
	const type = input.sniffedMime ? ALLOWED_EVIDENCE_TYPES[input.sniffedMime] : undefined;
	if (!type) {
		return {
			ok: false,
			message:
				'That kind of file cannot be uploaded. Use an image (PNG, JPEG, GIF, WebP), a PDF or an office document.'
		};
	}
	return { ok: true, mime: input.sniffedMime!, inline: type.inline };
}

export function formatBytes(bytes: number): string {
	if (bytes < 1024) return `${bytes} bytes`;
	if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
	return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
}

/**
 * A file name safe to echo in a Content-Disposition header and on a page: no paths, controls or
 * quotes.
 */
export function safeFileName(name: string): string {
	const base = name.split(/[\\/]/).pop() ?? '';
	const cleaned = base
		// eslint-disable-next-line no-control-regex -- stripping control characters is the point
		.replace(/[\u0000-\u001f\u007f"<>|:*?]/g, '')
		.replace(/\s+/g, ' ')
		.trim()
		.slice(0, 120);
	return cleaned && !/^\.+$/.test(cleaned) ? cleaned : 'evidence';
}

/**
 * What an anonymous peer reviewer sees a file called: its place among the work's files and the
 * extension of its sniffed type, never the name the learner's device gave it.
 */
export function neutralEvidenceName(position: number, mime: string | null): string {
	const extension = mime ? ALLOWED_EVIDENCE_TYPES[mime]?.extension : undefined;
	return `Evidence ${position}${extension ? `.${extension}` : ''}`;
}

/** Only web links: a javascript: or data: URL as evidence would run in a teacher's browser. */
export function isSafeEvidenceLink(url: string): boolean {
	try {
		const parsed = new URL(url);
		return (
			(parsed.protocol === 'https:' || parsed.protocol === 'http:') && Boolean(parsed.hostname)
		);
	} catch {
		return false;
	}
}
