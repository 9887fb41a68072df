/**
 * A refusal the person can act on: the message says what went wrong and how to fix it, `status` is
 * what the request is answered with. Services throw it; `actOn`, `answerJson` and `orHttpError` in
 * `http.ts` are the only places that catch it.
 */
export class Refusal extends Error {
	constructor(
		message: string,
		/** 503: the work could not be done just now (a report worker stopped): try again */
		readonly status: 400 | 403 | 404 | 409 | 410 | 429 | 503 = 400,
		/** sent beside the message by a JSON endpoint (a save's conflict: the server's current version) */
		readonly details?: Record<string, unknown>,
		/** what it came from (a report worker's failure), for the code that decides what it cost */
		options?: ErrorOptions
	) {
		super(message, options);
		this.name = 'Refusal';
	}
}
