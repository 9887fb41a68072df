import { requireCityAdmin } from '$lib/server/auth/guards';
import type { LayoutServerLoad } from './$types';

// The role-by-path net for page visits (see ARCHITECTURE.md): every page's load still guards.
export const load: LayoutServerLoad = (event) => {
	requireCityAdmin(event);
	return {};
};
