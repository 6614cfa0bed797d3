/** A horizontal bar chart (SVG) of median time to first token, with the ratio to the direct CLI and each target. */
export interface Bar {
  label: string;
  value: number;
  ratio: number;
  /** The target ratio, drawn as a tick on the bar's row. */
  target?: number;
}

export function renderChart(
  bars: Bar[],
  machine: { cpu: string; cores: number; claudeCli: string; node: string },
): string {
  const width = 900;
  const labelWidth = 300;
  const barArea = width - labelWidth - 280;
  const rowHeight = 34;
  const top = 56;
  const height = top + bars.length * rowHeight + 40;
  const base = bars[0]?.value ?? 1;
  const max = Math.max(...bars.flatMap((b) => [b.value, (b.target ?? 0) * base]).filter(Number.isFinite), 1);
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const x = (ms: number) => labelWidth + Math.max(2, (ms / max) * barArea);
  const rows = bars
    .map((b, i) => {
      const y = top + i * rowHeight;
      const w = Number.isFinite(b.value) ? x(b.value) - labelWidth : 0;
      const met = b.target === undefined || b.ratio <= b.target;
      const color = i === 0 ? '#8a8a8a' : met ? '#D97757' : '#B3261E';
      const tick =
        b.target === undefined
          ? ''
          : `<line x1="${x(b.target * base).toFixed(1)}" x2="${x(b.target * base).toFixed(1)}" y1="${y + 2}" y2="${y + 30}" stroke="#222" stroke-width="2" stroke-dasharray="3,2"/>`;
      const target = b.target === undefined ? '' : ` (target ≤ ${b.target.toFixed(2)}×)`;
      return `<text x="${labelWidth - 10}" y="${y + 20}" text-anchor="end">${esc(b.label)}</text>
<rect x="${labelWidth}" y="${y + 6}" width="${w.toFixed(1)}" height="20" rx="3" fill="${color}"/>${tick}
<text x="${Math.max(labelWidth + w, b.target === undefined ? 0 : x(b.target * base)) + 8}" y="${y + 20}">${b.value.toFixed(0)} ms · ${b.ratio.toFixed(2)}×${esc(target)}</text>`;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="13">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="20" y="26" font-size="16" font-weight="bold">Time to first token, median (lower is better; × = ratio to the direct CLI; dashes: target)</text>
<text x="20" y="44" fill="#666">${esc(`${machine.cpu}, ${machine.cores} cores · ${machine.claudeCli} · Node ${machine.node} · fake Anthropic API on loopback`)}</text>
${rows}
</svg>
`;
}
