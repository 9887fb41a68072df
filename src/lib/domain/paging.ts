/** Which rows of a long list one page shows, and where the others are. */
export interface PageWindow {
	/** the page shown, from 1 */
	page: number;
	/** pages in all: at least 1, so an empty list is page 1 of 1 */
	pages: number;
	total: number;
	perPage: number;
	/** rows skipped before this page */
	offset: number;
	/** the page's first and last rows, counted from 1 (0 and 0 for an empty list) */
	first: number;
	last: number;
}

/**
 * The page asked for (from a link: anything that is not a whole number is page 1), kept within
 * the pages there are, so a page past the end, left by a filter or by people removed meanwhile,
 * shows the last one rather than nothing.
 */
export function pageWindow(total: number, asked: number | undefined, perPage: number): PageWindow {
	const pages = Math.max(1, Math.ceil(total / perPage));
	const wanted = asked !== undefined && Number.isInteger(asked) && asked > 0 ? asked : 1;
	const page = Math.min(wanted, pages);
	const offset = (page - 1) * perPage;
	return {
		page,
		pages,
		total,
		perPage,
		offset,
		first: total === 0 ? 0 : offset + 1,
		last: Math.min(total, offset + perPage)
	};
}
