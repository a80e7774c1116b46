/**
 * A horizontal bar chart as plain SVG, for the Markdown report (GitHub renders
 * SVG images). Deliberately minimal: labelled bars on one linear scale.
 */
export interface Bar {
  label: string;
  value: number;
  /** Shown after the bar; defaults to the value. */
  text?: string;
}

const escape = (s: string) => s.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!);

export function barChart(title: string, bars: Bar[], unit: string): string {
  const width = 720;
  const labelWidth = 260;
  const barArea = width - labelWidth - 120;
  const rowHeight = 28;
  const height = 48 + bars.length * rowHeight;
  const max = Math.max(1e-9, ...bars.map((b) => b.value));
  const rows = bars
    .map((bar, i) => {
      const y = 40 + i * rowHeight;
      const w = Math.max(1, (bar.value / max) * barArea);
      return [
        `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end" font-size="12" fill="#334155">${escape(bar.label)}</text>`,
        `<rect x="${labelWidth}" y="${y + 3}" width="${w.toFixed(1)}" height="18" rx="3" fill="#2f7fd8"/>`,
        `<text x="${labelWidth + w + 6}" y="${y + 16}" font-size="12" fill="#0f172a">${escape(bar.text ?? `${bar.value} ${unit}`)}</text>`,
      ].join("");
    })
    .join("\n");
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="12" y="24" font-size="15" font-weight="600" fill="#0f172a">${escape(title)}</text>`,
    rows,
    `</svg>`,
  ].join("\n");
}
