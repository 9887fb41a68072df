import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * The one way the server keeps a secret it must read back (a roster import's one-time passwords, a
 * sign-in provider's client secret, a sign-in attempt's nonce and PKCE verifier): AES-256-GCM with
 * a fresh 12-byte IV, and `boundTo` (who or what the secret belongs to) as associated data, so a
 * sealed value copied into another row does not open. Output: base64url of IV ‖ tag ‖ ciphertext.
 */
export function seal(key: Buffer, boundTo: string, plaintext: string): string {
	const iv = randomBytes(12);
	const cipher = createCipheriv('aes-256-gcm', key, iv);
	cipher.setAAD(Buffer.from(boundTo));
	const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
	return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

/** Throws when the key, the binding or the bytes are not the ones it was sealed with. */
export function unseal(key: Buffer, boundTo: string, sealed: string): string {
	const bytes = Buffer.from(sealed, 'base64url');
	const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
	decipher.setAAD(Buffer.from(boundTo));
	decipher.setAuthTag(bytes.subarray(12, 28));
	return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
}
