/** One line of a line chart. */
export interface LineSeries {
  name: string;
  points: { x: number; y: number }[];
}

/** One group of bars (e.g. one operation), a bar per series. */
export interface BarGroup {
  label: string;
  bars: { series: string; value: number }[];
}

/** Options shared by both kinds of chart. */
export interface ChartOptions {
  title: string;
  yLabel: string;
  /** Logarithmic y axis (values must be > 0). @default false */
  logY?: boolean;
  /** A dashed horizontal line (e.g. ratio 1, or a target). */
  reference?: { value: number; label: string };
  /** Bars grow from this value (e.g. 1 on a ratio chart) instead of the axis. */
  barBase?: number;
  /** Print each bar's value above it. @default false */
  barLabels?: boolean;
  /** @default 720 */
  width?: number;
  /** @default 380 */
  height?: number;
}

/** Options of a line chart. */
export interface LineChartOptions extends ChartOptions {
  xLabel: string;
  /** Logarithmic x axis. @default false */
  logX?: boolean;
}

const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
const MARGIN = { left: 70, right: 190, top: 40, bottom: 50 };

/** Escapes text for SVG. */
function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A short label for a tick value. */
export function tickLabel(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a >= 1 || a === 0) return `${+v.toPrecision(3)}`;
  return `${+v.toPrecision(2)}`;
}

/** An axis: maps values to pixels, and its ticks. */
interface Axis {
  map(v: number): number;
  ticks: number[];
}

function axis(values: number[], log: boolean, from: number, to: number, includeZero: boolean): Axis {
  const finite = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  let lo = finite.length ? Math.min(...finite) : log ? 1 : 0;
  let hi = finite.length ? Math.max(...finite) : 1;
  if (log) {
    lo = 10 ** Math.floor(Math.log10(lo));
    hi = 10 ** Math.ceil(Math.log10(hi));
    if (lo === hi) hi = lo * 10;
    const ticks: number[] = [];
    for (let t = lo; t <= hi * 1.0001; t *= 10) ticks.push(t);
    const span = Math.log10(hi) - Math.log10(lo);
    return { map: (v) => from + ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / span) * (to - from), ticks };
  }
  if (includeZero) lo = Math.min(0, lo);
  if (lo === hi) hi = lo + 1;
  const raw = (hi - lo) / 5;
  const step = [1, 2, 2.5, 5, 10].map((m) => m * 10 ** Math.floor(Math.log10(raw))).find((s) => s >= raw) ?? raw;
  lo = Math.floor(lo / step) * step;
  hi = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let t = lo; t <= hi + step / 1000; t += step) ticks.push(+t.toPrecision(12));
  return { map: (v) => from + ((v - lo) / (hi - lo)) * (to - from), ticks };
}

function frame(o: ChartOptions, width: number, height: number, body: string[], y: Axis, legend: string[]): string {
  const plotRight = width - MARGIN.right;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${width / 2 - MARGIN.right / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(o.title)}</text>`,
  ];
  for (const t of y.ticks) {
    const py = y.map(t);
    parts.push(`<line x1="${MARGIN.left}" x2="${plotRight}" y1="${py.toFixed(1)}" y2="${py.toFixed(1)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${(py + 4).toFixed(1)}" text-anchor="end">${tickLabel(t)}</text>`);
  }
  parts.push(`<text transform="translate(16 ${(MARGIN.top + height - MARGIN.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`);
  parts.push(...body);
  if (o.reference) {
    const py = y.map(o.reference.value);
    parts.push(`<line x1="${MARGIN.left}" x2="${plotRight}" y1="${py.toFixed(1)}" y2="${py.toFixed(1)}" stroke="#555" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="${plotRight + 4}" y="${(py + 4).toFixed(1)}" fill="#555">${esc(o.reference.label)}</text>`);
  }
  parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${height - MARGIN.bottom}" stroke="#333"/>`);
  parts.push(`<line x1="${MARGIN.left}" x2="${plotRight}" y1="${height - MARGIN.bottom}" y2="${height - MARGIN.bottom}" stroke="#333"/>`);
  legend.forEach((name, i) => {
    const ly = MARGIN.top + 10 + i * 20 + (o.reference ? 0 : 0);
    parts.push(`<rect x="${plotRight + 16}" y="${ly - 9}" width="14" height="10" fill="${PALETTE[i % PALETTE.length]}"/>`);
    parts.push(`<text x="${plotRight + 36}" y="${ly}">${esc(name)}</text>`);
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

/**
 * A line chart as an SVG document: one polyline with dots per series.
 *
 * @example
 * ```ts
 * writeFileSync("growth.svg", lineChart([{ name: "getSkill", points: [{ x: 1000, y: 0.02 }] }], { title: "p50", xLabel: "skills", yLabel: "ms", logX: true }));
 * ```
 */
export function lineChart(series: LineSeries[], o: LineChartOptions): string {
  const width = o.width ?? 720;
  const height = o.height ?? 380;
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y)).concat(o.reference ? [o.reference.value] : []);
  const x = axis(xs, o.logX ?? false, MARGIN.left + 20, width - MARGIN.right - 20, false);
  const y = axis(ys, o.logY ?? false, height - MARGIN.bottom, MARGIN.top, true);
  const body: string[] = [];
  for (const t of o.logX ? [...new Set(xs)].sort((a, b) => a - b) : x.ticks) {
    body.push(`<text x="${x.map(t).toFixed(1)}" y="${height - MARGIN.bottom + 16}" text-anchor="middle">${tickLabel(t)}</text>`);
  }
  body.push(`<text x="${(MARGIN.left + width - MARGIN.right) / 2}" y="${height - 12}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    const pts = [...s.points].filter((p) => Number.isFinite(p.y) && (!o.logY || p.y > 0)).sort((a, b) => a.x - b.x);
    if (pts.length > 1) body.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((p) => `${x.map(p.x).toFixed(1)},${y.map(p.y).toFixed(1)}`).join(" ")}"/>`);
    for (const p of pts) body.push(`<circle cx="${x.map(p.x).toFixed(1)}" cy="${y.map(p.y).toFixed(1)}" r="3.5" fill="${color}"><title>${esc(`${s.name}: ${tickLabel(p.x)} → ${tickLabel(p.y)}`)}</title></circle>`);
  });
  return frame(o, width, height, body, y, series.map((s) => s.name));
}

/**
 * A grouped bar chart as an SVG document: one group per label, one bar per series.
 *
 * @example
 * ```ts
 * barChart([{ label: "get", bars: [{ series: "1k", value: 2.5 }] }], { title: "ours / theirs", yLabel: "ratio", logY: true, reference: { value: 1, label: "equal" } });
 * ```
 */
export function barChart(groups: BarGroup[], o: ChartOptions): string {
  const width = o.width ?? 720;
  const height = o.height ?? 380;
  const seriesNames = [...new Set(groups.flatMap((g) => g.bars.map((b) => b.series)))];
  const values = groups.flatMap((g) => g.bars.map((b) => b.value)).concat(o.reference ? [o.reference.value] : []);
  const y = axis(values, o.logY ?? false, height - MARGIN.bottom, MARGIN.top, true);
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const groupWidth = plotWidth / Math.max(1, groups.length);
  const barWidth = (groupWidth * 0.8) / Math.max(1, seriesNames.length);
  const base = o.barBase !== undefined ? y.map(o.barBase) : o.logY ? height - MARGIN.bottom : y.map(0);
  const body: string[] = [];
  groups.forEach((g, gi) => {
    const gx = MARGIN.left + gi * groupWidth + groupWidth * 0.1;
    for (const bar of g.bars) {
      if (!Number.isFinite(bar.value) || (o.logY && bar.value <= 0)) continue;
      const si = seriesNames.indexOf(bar.series);
      const top = y.map(bar.value);
      body.push(
        `<rect x="${(gx + si * barWidth).toFixed(1)}" y="${Math.min(top, base).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${Math.max(1, Math.abs(base - top)).toFixed(1)}" fill="${PALETTE[si % PALETTE.length]}"><title>${esc(`${g.label}, ${bar.series}: ${tickLabel(bar.value)}`)}</title></rect>`,
      );
      if (o.barLabels) {
        const ly = top <= base ? top - 3 : top + 11;
        body.push(`<text x="${(gx + si * barWidth + barWidth / 2 - 1).toFixed(1)}" y="${ly.toFixed(1)}" text-anchor="middle" font-size="10">${tickLabel(bar.value)}</text>`);
      }
    }
    body.push(`<text x="${(gx + groupWidth * 0.4).toFixed(1)}" y="${height - MARGIN.bottom + 16}" text-anchor="middle">${esc(g.label)}</text>`);
  });
  return frame(o, width, height, body, y, seriesNames);
}
