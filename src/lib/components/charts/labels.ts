import { shortSkillTitle } from '$lib/domain/frameworks';

/**
 * A skill's name as a radar label: without its parenthesis, in short lines. Long names squeezed the
 * radar to a thumbnail; the tables beside each chart give every name in full.
 */
export function radarLabel(title: string, lineLength = 18): string[] {
	const lines: string[] = [];
	for (const word of shortSkillTitle(title).split(' ')) {
		const last = lines.at(-1);
		if (last !== undefined && `${last} ${word}`.length <= lineLength)
			lines[lines.length - 1] = `${last} ${word}`;
		else lines.push(word);
	}
	return lines;
}
