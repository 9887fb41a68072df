import type { UnsavedChange } from './save-queue';

/**
 * A copy on the device of the changes the server has not acknowledged, so a closed tab, a crash or
 * a lost connection loses nothing: localStorage, one entry per person, screen and tab (a shared
 * Chromebook keeps each child's apart), removed as soon as everything is acknowledged. Signing out
 * removes every copy (`forgetDeviceCopies`): on a shared device, a child's words must not wait
 * there for the next person.
 *
 * Two open tabs of one screen must not take each other's changes (each is already saving its own,
 * and a stale tab's conflict would land in the fresh one), so a screen restores only its own tab's
 * copy (after a reload) and copies whose tab is gone: closed (`pagehide`) or silent for longer than
 * `GONE_AFTER_MS` (a crash).
 */
const PREFIX = 'fusion-unsaved:';
const HEARTBEAT_MS = 5_000;
const GONE_AFTER_MS = 4 * HEARTBEAT_MS;

interface Entry<P extends object> {
	changes: UnsavedChange<P>[];
	/** false once the tab has closed or navigated away */
	open: boolean;
	beatAt: number;
}

export interface DeviceCopy<P extends object> {
	/** The changes left by this tab before a reload, and by tabs that are gone; they become ours. */
	claim(): UnsavedChange<P>[];
	keep(changes: UnsavedChange<P>[]): void;
	/** The screen is gone (its copy stays until claimed or acknowledged). */
	stop(): void;
}

function storage(): Storage | null {
	try {
		return typeof localStorage === 'undefined' ? null : localStorage;
	} catch {
		return null; // storage blocked (private mode, policy): autosave still works, without a copy
	}
}

/** One id per browser tab, kept across its reloads (sessionStorage is per tab). */
function tabId(): string {
	try {
		const known = sessionStorage.getItem('fusion-tab');
		if (known) return known;
		const id = crypto.randomUUID();
		sessionStorage.setItem('fusion-tab', id);
		return id;
	} catch {
		return crypto.randomUUID();
	}
}

/** In the browser only: it listens to the page's lifecycle. */
export function deviceCopy<P extends object>(screen: string): DeviceCopy<P> {
	const store = storage();
	const base = `${PREFIX}${screen}:`;
	const mine = base + tabId();
	let changes: UnsavedChange<P>[] = [];
	const write = (open: boolean) => {
		if (!store) return;
		try {
			if (changes.length === 0) store.removeItem(mine);
			else store.setItem(mine, JSON.stringify({ changes, open, beatAt: Date.now() }));
		} catch {
			/* full: the server copy is still being retried */
		}
	};
	const beat = setInterval(() => changes.length && write(true), HEARTBEAT_MS);
	const hidden = () => write(false);
	const shown = () => write(true);
	window.addEventListener('pagehide', hidden);
	window.addEventListener('pageshow', shown);
	return {
		claim() {
			if (!store) return [];
			const claimed: UnsavedChange<P>[] = [];
			for (const name of Object.keys(store)) {
				if (!name.startsWith(base)) continue;
				const entry = readEntry<P>(store.getItem(name));
				const gone = !entry || !entry.open || Date.now() - entry.beatAt > GONE_AFTER_MS;
				if (name !== mine && !gone) continue;
				if (entry) claimed.push(...entry.changes);
				store.removeItem(name);
			}
			return claimed;
		},
		keep(next) {
			changes = next;
			write(true);
		},
		stop() {
			clearInterval(beat);
			window.removeEventListener('pagehide', hidden);
			window.removeEventListener('pageshow', shown);
		}
	};
}

function readEntry<P extends object>(text: string | null): Entry<P> | null {
	try {
		const entry = JSON.parse(text ?? 'null') as Entry<P> | null;
		if (!entry || !Array.isArray(entry.changes) || typeof entry.beatAt !== 'number') return null;
		return { ...entry, changes: entry.changes.filter((c) => isUnsavedChange<P>(c)) };
	} catch {
		return null;
	}
}

function isUnsavedChange<P extends object>(value: unknown): value is UnsavedChange<P> {
	const v = value as UnsavedChange<P> | null;
	return (
		typeof v === 'object' &&
		v !== null &&
		typeof v.key === 'string' &&
		typeof v.fields === 'object' &&
		v.fields !== null &&
		Number.isInteger(v.baseRevision)
	);
}

export function forgetDeviceCopies(): void {
	const store = storage();
	if (!store) return;
	for (const name of Object.keys(store)) if (name.startsWith(PREFIX)) store.removeItem(name);
}
