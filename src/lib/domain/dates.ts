/**
 * Dates as people read them on screens, reports and badges: British English, in the reader's (or,
 * for PDFs and server messages, the server's) time zone. Each takes a stored ISO timestamp; an
 * absent one reads as an empty string, so a template can show "no date" without a guard.
 */

type When = string | null | undefined;

const dateIn = (options: Intl.DateTimeFormatOptions) => (iso: When) =>
	iso ? new Date(iso).toLocaleDateString('en-GB', options) : '';
const dateTimeIn = (options: Intl.DateTimeFormatOptions) => (iso: When) =>
	iso ? new Date(iso).toLocaleString('en-GB', options) : '';

/** 5 March 2025 */
export const formatDate = dateIn({ day: 'numeric', month: 'long', year: 'numeric' });
/** 5 Mar 2025 */
export const formatShortDate = dateIn({ day: 'numeric', month: 'short', year: 'numeric' });
/** 05/03/2025 */
export const formatNumericDate = dateIn({});
/** Wednesday 5 March (a due date this school year) */
export const formatWeekday = dateIn({ weekday: 'long', day: 'numeric', month: 'long' });
/** Wed 5 Mar */
export const formatShortWeekday = dateIn({ weekday: 'short', day: 'numeric', month: 'short' });
/** 5 March at 14:30 */
export const formatDateTime = dateTimeIn({
	day: 'numeric',
	month: 'long',
	hour: '2-digit',
	minute: '2-digit'
});
/** 5 Mar, 14:30 */
export const formatShortDateTime = dateTimeIn({
	day: 'numeric',
	month: 'short',
	hour: '2-digit',
	minute: '2-digit'
});
