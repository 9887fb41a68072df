/**
 * Which form an action's result belongs to, so its notice is shown beside that form (see
 * ActionNotice.svelte). A form says it in the URL it posts to: `?/release` names the action, and
 * where several forms post the same action (one per criterion, one per badge), `&notice=…` names
 * which. The URL is the one source for both ways a result arrives: with JavaScript the submitted
 * form's own `action` is read; without it the browser shows the page at that URL, so the server
 * renders the notice in the same place.
 */
export interface ActionTarget {
	/** the action's name, `default` for a form without `?/name` */
	action: string;
	/** which of several forms posting that action, or null */
	key: string | null;
}

const NOTICE_PARAM = 'notice';

/** The action and key a form's URL posts to (SvelteKit reads the first `?/name` as the action). */
export function actionTarget(url: URL): ActionTarget {
	let action = 'default';
	for (const name of url.searchParams.keys())
		if (name.startsWith('/')) {
			action = name.slice(1);
			break;
		}
	return { action, key: url.searchParams.get(NOTICE_PARAM) };
}

/**
 * A form's `action` attribute for a named action, with a key when several forms on the page post
 * it: `formAction('agree', 'criterion-3')` is `?/agree&notice=criterion-3`.
 */
export function formAction(action: string, key?: string | number): string {
	return key === undefined
		? `?/${action}`
		: `?/${action}&${NOTICE_PARAM}=${encodeURIComponent(String(key))}`;
}

/**
 * Is this notice the one for the submitted form? A notice names the actions it answers (none: any
 * action on the page) and, beside one of several alike forms, the key that form posts.
 */
export function noticeIsFor(
	target: ActionTarget,
	action: string | readonly string[] | undefined,
	key: string | number | undefined
): boolean {
	if (
		action !== undefined &&
		!(typeof action === 'string' ? [action] : action).includes(target.action)
	)
		return false;
	return key === undefined || target.key === String(key);
}
