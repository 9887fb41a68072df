import type { Session, SessionUser } from '$lib/server/auth/sessions';

declare global {
	namespace App {
		interface Locals {
			user: SessionUser | null;
			session: Session | null;
		}
		interface PageData {
			/** A page shown on its own, without the app's header (the projector, a closed session). */
			chromeless?: boolean;
		}
		interface Error {
			message: string;
			/** Quoted to support staff to find the server log line of an unexpected error. */
			reference?: string;
		}
	}
}

export {};
