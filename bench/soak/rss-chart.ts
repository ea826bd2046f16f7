import type { ResourceSample } from './resource-monitor.js';

const WIDTH = 640;
const HEIGHT = 240;
const MARGIN = { left: 56, right: 16, top: 24, bottom: 32 };
const COLOURS = ['#2563eb', '#dc2626', '#16a34a'];
const LEGEND_SPACING = 56;

/** The RSS curve of every node as a small standalone SVG: MiB against seconds into the load. */
export function renderRssChart(samples: readonly ResourceSample[], nodeCount: number, title: string): string {
  const maxSeconds = Math.max(1, ...samples.map((sample) => sample.atMs / 1000));
  const maxMiB = Math.max(1, ...samples.map((sample) => sample.rssKiB / 1024)) * 1.1;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (seconds: number) => (MARGIN.left + (seconds / maxSeconds) * plotWidth).toFixed(1);
  const y = (mib: number) => (MARGIN.top + plotHeight - (mib / maxMiB) * plotHeight).toFixed(1);
  const lines = Array.from({ length: nodeCount }, (_, node) => {
    const points = samples
      .filter((sample) => sample.node === node)
      .map((sample) => `${x(sample.atMs / 1000)},${y(sample.rssKiB / 1024)}`)
      .join(' ');
    const colour = COLOURS[node % COLOURS.length];
    // The legend sits in the title row, right-aligned, clear of the curves.
    const legendX = WIDTH - MARGIN.right - LEGEND_SPACING * (nodeCount - node);
    return [
      `<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${points}"/>`,
      `<text x="${legendX}" y="14" fill="${colour}">node ${node + 1}</text>`,
    ].join('\n');
  });
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((fraction) => {
    const mib = maxMiB * fraction;
    return `<text x="${MARGIN.left - 6}" y="${y(mib)}" text-anchor="end">${mib.toFixed(0)}</text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="11" role="img">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${MARGIN.left}" y="14" font-weight="bold">${escapeXml(title)}</text>`,
    `<line x1="${MARGIN.left}" y1="${MARGIN.top + plotHeight}" x2="${WIDTH - MARGIN.right}" y2="${MARGIN.top + plotHeight}" stroke="#888"/>`,
    `<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${MARGIN.top + plotHeight}" stroke="#888"/>`,
    ...ticks,
    `<text x="14" y="${MARGIN.top + plotHeight / 2}" transform="rotate(-90 14 ${MARGIN.top + plotHeight / 2})" text-anchor="middle">RSS MiB</text>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 6}" text-anchor="middle">seconds into the load (0–${maxSeconds.toFixed(0)})</text>`,
    ...lines,
    '</svg>',
    '',
  ].join('\n');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
