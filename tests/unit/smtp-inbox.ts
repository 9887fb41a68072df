import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

/**
 * A real SMTP server on loopback for the e-mail tests: it takes every message and keeps it as
 * received (envelope, headers, decoded text and HTML parts), so a test checks what a mail client
 * would get, not what our code meant to send.
 */
export interface ReceivedMessage {
	to: string[];
	from: string;
	headers: Map<string, string>;
	text: string;
	html: string;
	raw: string;
}

export interface Inbox {
	port: number;
	messages: ReceivedMessage[];
	close: () => Promise<void>;
}

export async function startInbox(): Promise<Inbox> {
	const messages: ReceivedMessage[] = [];
	const server = new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS'],
		logger: false,
		onData(stream, session, callback) {
			const chunks: Buffer[] = [];
			stream.on('data', (chunk: Buffer) => chunks.push(chunk));
			stream.on('end', () => {
				const raw = Buffer.concat(chunks).toString('utf8');
				messages.push({
					...parseMessage(raw),
					raw,
					to: session.envelope.rcptTo.map((r) => r.address),
					from: session.envelope.mailFrom ? session.envelope.mailFrom.address : ''
				});
				callback();
			});
		}
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.server.address() as AddressInfo).port;
	return {
		port,
		messages,
		close: () => new Promise<void>((resolve) => server.close(() => resolve()))
	};
}

function splitHeaders(raw: string): { headers: Map<string, string>; body: string } {
	const end = raw.indexOf('\r\n\r\n');
	const head = raw.slice(0, end).replace(/\r\n[ \t]+/g, ' ');
	const headers = new Map<string, string>();
	for (const line of head.split('\r\n')) {
		const colon = line.indexOf(':');
		if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
	}
	return { headers, body: raw.slice(end + 4) };
}

function decodeQuotedPrintable(text: string): string {
	const bytes = text
		.replace(/=\r\n/g, '')
		.replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
	return Buffer.from(bytes, 'latin1').toString('utf8');
}

function decodePart(headers: Map<string, string>, body: string): string {
	const encoding = headers.get('content-transfer-encoding')?.toLowerCase();
	if (encoding === 'base64')
		return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
	if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
	return body;
}

/** Decodes an RFC 2047 encoded word (a subject with curly quotes arrives as =?UTF-8?Q?…?=). */
export function decodeHeader(value: string): string {
	return value
		.replace(/\?=\s+=\?/g, '?==?')
		.replace(/=\?UTF-8\?([BQ])\?([^?]*)\?=/gi, (_, how: string, text: string) =>
			how.toUpperCase() === 'B'
				? Buffer.from(text, 'base64').toString('utf8')
				: decodeQuotedPrintable(text.replace(/_/g, ' '))
		);
}

function parseMessage(raw: string) {
	const { headers, body } = splitHeaders(raw);
	let text = '';
	let html = '';
	const boundary = /boundary="?([^";]+)"?/.exec(headers.get('content-type') ?? '')?.[1];
	const parts = boundary
		? body
				.split(`--${boundary}`)
				.slice(1, -1)
				.map((part) => splitHeaders(part.replace(/^\r\n/, '')))
		: [{ headers, body }];
	for (const part of parts) {
		const type = part.headers.get('content-type') ?? 'text/plain';
		const decoded = decodePart(part.headers, part.body.replace(/\r\n$/, ''));
		if (type.startsWith('text/html')) html = decoded;
		else if (type.startsWith('text/plain')) text = decoded;
	}
	return { headers, text, html };
}
