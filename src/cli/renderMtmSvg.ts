/**
 * SVG of two lip-opening curves with matched extrema joined, like the paper's DDTW figure.
 */
import type { IMtmResult } from '../metrics/meanTemporalMisalignment.ts';

function polyline(values: Float64Array, x: (i: number) => number, y: (v: number) => number): string {
  return Array.from(values, (v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
}

/**
 * Renders the smoothed GT (blue) and predicted (red) lip-opening curves of an MTM result, their extrema
 * (▲ max, ● min) and a green line for each matched pair.
 * @param result defines an MTM result
 * @param title defines the title line
 * @returns a standalone SVG document
 */
export function renderMtmSvg(result: IMtmResult, title = 'Lip distance with DDTW alignment'): string {
  const width = 960;
  const height = 420;
  const pad = { left: 70, right: 20, top: 40, bottom: 50 };
  const gt = result.gtSmoothed;
  const pred = result.predSmoothed;
  const frames = Math.max(gt.length, pred.length, 2);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of [...gt, ...pred]) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!(hi > lo)) {
    lo -= 1e-3;
    hi += 1e-3;
  }
  const x = (i: number): number => pad.left + (i / (frames - 1)) * (width - pad.left - pad.right);
  const y = (v: number): number => pad.top + (1 - (v - lo) / (hi - lo)) * (height - pad.top - pad.bottom);
  const marks = (series: Float64Array, extrema: IMtmResult['gtExtrema'], colour: string): string =>
    extrema
      .map((e) =>
        e.kind === 'max'
          ? `<path d="M${x(e.index).toFixed(1)},${(y(series[e.index]) - 5).toFixed(1)} l4,8 h-8 z" fill="${colour}"/>`
          : `<circle cx="${x(e.index).toFixed(1)}" cy="${y(series[e.index]).toFixed(1)}" r="3.5" fill="${colour}"/>`,
      )
      .join('\n');
  const links = result.pairs
    .map(
      ([g, p]) =>
        `<line x1="${x(g).toFixed(1)}" y1="${y(gt[g]).toFixed(1)}" x2="${x(p).toFixed(1)}" y2="${y(pred[p]).toFixed(1)}" stroke="green" stroke-width="1.5"/>`,
    )
    .join('\n');
  const mtm =
    result.mtmFrames === null
      ? 'no matches'
      : `MTM ${result.mtmFrames.toFixed(2)} frames, ${result.matches} matches`;
  const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="${pad.left}" y="22" font-size="14">${escape(title)} — ${mtm}</text>
<line x1="${pad.left}" y1="${height - pad.bottom}" x2="${width - pad.right}" y2="${height - pad.bottom}" stroke="#888"/>
<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${height - pad.bottom}" stroke="#888"/>
<text x="${width / 2}" y="${height - 15}" text-anchor="middle">frame (0 … ${frames - 1})</text>
<text x="15" y="${height / 2}" transform="rotate(-90 15 ${height / 2})" text-anchor="middle">lip distance (${lo.toPrecision(3)} … ${hi.toPrecision(3)})</text>
${links}
<polyline points="${polyline(gt, x, y)}" fill="none" stroke="blue" stroke-width="1.5"/>
<polyline points="${polyline(pred, x, y)}" fill="none" stroke="red" stroke-width="1.5" stroke-opacity="0.7"/>
${marks(gt, result.gtExtrema, 'blue')}
${marks(pred, result.predExtrema, 'red')}
<text x="${width - 230}" y="22"><tspan fill="blue">— ground truth</tspan>  <tspan fill="red">— predicted</tspan>  <tspan fill="green">— match</tspan></text>
</svg>
`;
}
