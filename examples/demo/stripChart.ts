/**
 * A scrolling strip chart on a 2D canvas: a few named series over the last `windowSec` seconds, each with
 * its own fixed range, plus optional horizontal guide lines (e.g. the ±45 ms A/V warning band).
 */

/** One line on the chart. */
export interface IStripSeries {
  readonly label: string;
  readonly color: string;
  /** Value range mapped to the chart's height. */
  readonly min: number;
  readonly max: number;
}

/** A strip chart on a 2D canvas; `push` values, `draw` once per frame. */
export class StripChart {
  private readonly _ctx: CanvasRenderingContext2D;
  private readonly _points: Array<Array<[number, number]>>;

  /**
   * @param canvas defines the canvas to draw on
   * @param title defines the caption drawn top-left
   * @param series defines the lines
   * @param guides defines values (in the first series' range) to draw as dashed lines
   * @param windowSec defines how many seconds are visible
   */
  constructor(
    private readonly _canvas: HTMLCanvasElement,
    private readonly _title: string,
    private readonly _series: readonly IStripSeries[],
    private readonly _guides: readonly number[] = [],
    private readonly _windowSec = 8,
  ) {
    const ctx = _canvas.getContext('2d');
    if (!ctx) throw new Error('StripChart: no 2D context');
    this._ctx = ctx;
    this._points = _series.map(() => []);
  }

  /** Adds a value to series `i` at time `t` (seconds, any monotonic clock); null leaves a gap. */
  push(i: number, t: number, value: number | null): void {
    const pts = this._points[i];
    if (value !== null && Number.isFinite(value)) pts.push([t, value]);
    while (pts.length > 0 && pts[0][0] < t - this._windowSec) pts.shift();
  }

  /** Redraws the chart with `now` at the right edge and `latest` (the current value, as text) top-right. */
  draw(now: number, latest: string): void {
    const { width: w, height: h } = this._canvas;
    const ctx = this._ctx;
    ctx.clearRect(0, 0, w, h);
    ctx.fillStyle = 'rgba(20, 28, 40, 0.55)';
    ctx.fillRect(0, 0, w, h);
    const first = this._series[0];
    const y = (s: IStripSeries, v: number): number => h - 4 - ((v - s.min) / (s.max - s.min)) * (h - 20);
    ctx.setLineDash([3, 3]);
    ctx.strokeStyle = 'rgba(255,255,255,0.3)';
    for (const g of this._guides) {
      ctx.beginPath();
      ctx.moveTo(0, y(first, g));
      ctx.lineTo(w, y(first, g));
      ctx.stroke();
    }
    ctx.setLineDash([]);
    this._series.forEach((s, i) => {
      ctx.strokeStyle = s.color;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      this._points[i].forEach(([t, v], k) => {
        const x = w - ((now - t) / this._windowSec) * w;
        const yy = y(s, Math.min(s.max, Math.max(s.min, v)));
        if (k === 0) ctx.moveTo(x, yy);
        else ctx.lineTo(x, yy);
      });
      ctx.stroke();
    });
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#fff';
    ctx.fillText(this._title, 6, 12);
    let x = w - 6;
    ctx.textAlign = 'right';
    ctx.fillText(latest, x, 12);
    x -= ctx.measureText(latest).width + 10;
    for (let i = this._series.length - 1; i >= 0; i--) {
      ctx.fillStyle = this._series[i].color;
      ctx.fillText(this._series[i].label, x, 12);
      x -= ctx.measureText(this._series[i].label).width + 8;
    }
    ctx.textAlign = 'left';
  }
}
