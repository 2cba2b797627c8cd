// A progress bar on stderr for the offline tools: drawn only when stderr is a terminal and only
// once the work has taken over a second (short runs and pipelines stay quiet), redrawn at most
// 10 times a second, erased when the work ends so the tool's own output starts on a clean line.
// Invariant: never writes to stdout (dumps go there) and never throws.

import { formatBytes, formatDuration } from './cli.js';

const SHOW_AFTER_MS = 1000;
const REDRAW_MS = 100;
const WIDTH = 20;

export type ProgressUnit = 'bytes' | 'items';

export class Progress {
  private readonly started = Date.now();
  private lastDraw = 0;
  private drawn = false;
  private label: string;
  private total = 0;
  private unit: ProgressUnit = 'items';

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly enabled = stream.isTTY === true && !process.env.HOARD_NO_PROGRESS,
  ) {
    this.label = '';
  }

  /** Starts (or switches to) a phase: its label, total (0 = unknown) and unit. */
  phase(label: string, total: number, unit: ProgressUnit = 'items'): void {
    this.label = label;
    this.total = total;
    this.unit = unit;
    this.phaseStarted = Date.now();
  }
  private phaseStarted = Date.now();

  update(done: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.started < SHOW_AFTER_MS || now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const fmt = (n: number) => (this.unit === 'bytes' ? formatBytes(n) : n.toLocaleString('en-US'));
    let line = `${this.label} `;
    const elapsed = now - this.phaseStarted;
    if (this.total > 0) {
      const frac = Math.max(0, Math.min(1, done / this.total));
      const full = Math.round(frac * WIDTH);
      line += `[${'#'.repeat(full)}${'-'.repeat(WIDTH - full)}] ${(frac * 100).toFixed(0).padStart(3)}% ${fmt(done)}/${fmt(this.total)}`;
      if (frac > 0.01 && elapsed > 500) line += ` eta ${formatDuration((elapsed / frac) * (1 - frac))}`;
    } else {
      line += fmt(done);
      if (elapsed > 500) line += ` (${fmt(Math.round((done * 1000) / elapsed))}/s)`;
    }
    const cols = this.stream.columns ?? 100;
    if (line.length > cols - 1) line = line.slice(0, cols - 1);
    try {
      this.stream.write(`\r${line}\x1b[K`);
      this.drawn = true;
    } catch {
      // a progress bar never fails the tool
    }
  }

  /** Erases the bar (if it was drawn). */
  end(): void {
    if (!this.drawn) return;
    this.drawn = false;
    try {
      this.stream.write('\r\x1b[K');
    } catch {
      // ignore
    }
  }
}
