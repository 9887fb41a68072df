import { marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

/**
 * Teachers write briefs and descriptions in markdown; learners see HTML. marked does not sanitise,
 * so its output goes through an allow-list: no scripts, no styles, no images (no tracking pixels),
 * links only to http(s) and mail, opening in a new tab without the opener.
 */
const ALLOWED: sanitizeHtml.IOptions = {
	allowedTags: [
		'p',
		'br',
		'strong',
		'em',
		'b',
		'i',
		'u',
		's',
		'del',
		'code',
		'pre',
		'blockquote',
		'ul',
		'ol',
		'li',
		'a',
		'h2',
		'h3',
		'h4',
		'hr',
		'table',
		'thead',
		'tbody',
		'tr',
		'th',
		'td'
	],
	allowedAttributes: { a: ['href', 'title'], th: ['align'], td: ['align'] },
	allowedSchemes: ['http', 'https', 'mailto'],
	transformTags: {
		h1: 'h2',
		a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' })
	}
};
ALLOWED.allowedAttributes = { ...ALLOWED.allowedAttributes, a: ['href', 'title', 'rel', 'target'] };

export function renderMarkdown(markdown: string): string {
	const html = marked.parse(markdown, { async: false, gfm: true, breaks: true });
	return sanitizeHtml(html, ALLOWED);
}
