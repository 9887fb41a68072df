/**
 * A generated badge image: a shield in the layer's colour with the badge's initials and layer name.
 */
const LAYER_COLOURS: Record<string, string> = {
	engage: '#0f766e',
	participate: '#1d4ed8',
	demonstrate: '#b45309',
	lead: '#a21caf'
};

const escapeXml = (s: string) =>
	s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function generatedBadgeSvg(
	name: string,
	layer: string,
	capriColour?: string | null
): string {
	const colour = capriColour || LAYER_COLOURS[layer] || '#14213d';
	const initials = name
		.split(/\s+/)
		.filter(Boolean)
		.slice(0, 2)
		.map((w) => w[0]!.toUpperCase())
		.join('');
	return `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256" role="img" aria-label="${escapeXml(name)}">
<title>${escapeXml(name)}</title>
<path d="M128 8 L232 48 V128 C232 188 188 232 128 248 C68 232 24 188 24 128 V48 Z" fill="${colour}" stroke="#14213d" stroke-width="6"/>
<circle cx="128" cy="116" r="62" fill="#ffffff" opacity="0.95"/>
<text x="128" y="138" text-anchor="middle" font-family="DejaVu Sans, Arial, sans-serif" font-size="60" font-weight="700" fill="${colour}">${escapeXml(initials)}</text>
<text x="128" y="212" text-anchor="middle" font-family="DejaVu Sans, Arial, sans-serif" font-size="22" font-weight="700" fill="#ffffff">${escapeXml(layer.toUpperCase())}</text>
</svg>`;
}
