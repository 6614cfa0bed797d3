/** A horizontal bar chart (SVG) of median time to first token, with the ratio to the direct CLI. */
export interface Bar {
  label: string;
  value: number;
  ratio: number;
}

export function renderChart(
  bars: Bar[],
  machine: { cpu: string; cores: number; claudeCli: string; node: string },
): string {
  const width = 860;
  const labelWidth = 300;
  const barArea = width - labelWidth - 150;
  const rowHeight = 34;
  const top = 56;
  const height = top + bars.length * rowHeight + 40;
  const max = Math.max(...bars.map((b) => b.value).filter(Number.isFinite), 1);
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const rows = bars
    .map((b, i) => {
      const y = top + i * rowHeight;
      const w = Number.isFinite(b.value) ? Math.max(2, (b.value / max) * barArea) : 0;
      const color = i === 0 ? '#8a8a8a' : '#D97757';
      return `<text x="${labelWidth - 10}" y="${y + 20}" text-anchor="end">${esc(b.label)}</text>
<rect x="${labelWidth}" y="${y + 6}" width="${w.toFixed(1)}" height="20" rx="3" fill="${color}"/>
<text x="${labelWidth + w + 8}" y="${y + 20}">${b.value.toFixed(0)} ms · ${b.ratio.toFixed(2)}×</text>`;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="13">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="20" y="26" font-size="16" font-weight="bold">Time to first token, median (lower is better; × = ratio to the direct CLI)</text>
<text x="20" y="44" fill="#666">${esc(`${machine.cpu}, ${machine.cores} cores · ${machine.claudeCli} · Node ${machine.node} · fake Anthropic API on loopback`)}</text>
${rows}
</svg>
`;
}
