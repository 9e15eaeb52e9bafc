/**
 * A progress reporter for long loops on stderr: on an interactive terminal a redrawn one-line bar
 * with throughput, ETA and caller fields (e.g. loss); otherwise (not a TTY, CI, NO_COLOR, TERM=dumb,
 * --no-progress, or `tty: false`) one plain log line every `intervalMs` or every `percentStep` %.
 * Dependency-free.
 */

/** Options of {@link Progress}. */
export interface ProgressOptions {
  /** Units of work in the loop (≤ 0: unknown, no percentage or ETA). */
  total: number;
  /** Prefix of every line, e.g. 'train'. */
  label: string;
  /** Name of one unit of work, for the throughput (default 'samples'). */
  unit?: string;
  /** Output (default process.stderr). */
  stream?: NodeJS.WritableStream;
  /** Force the bar (true) or plain lines (false); default {@link isInteractive}(stream). */
  tty?: boolean;
  /** Plain mode: the most time between lines (default 10 000 ms). Bar mode: the least time between redraws (default 100 ms). */
  intervalMs?: number;
  /** Plain mode: also print whenever another `percentStep` % is done (default 10). */
  percentStep?: number;
  /** Clock in ms (default Date.now), for tests. */
  now?: () => number;
}

/** Whether `stream` should get a redrawn bar: a TTY, and none of CI, NO_COLOR, TERM=dumb or --no-progress. */
export function isInteractive(stream: NodeJS.WritableStream = process.stderr): boolean {
  const env = process.env;
  const tty = (stream as { isTTY?: boolean }).isTTY === true;
  return tty && !env.CI && env.NO_COLOR === undefined && env.TERM !== 'dumb' && !process.argv.includes('--no-progress');
}

/** Seconds as m:ss or h:mm:ss ('?' when not finite). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const pad = (v: number) => String(v).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(r)}` : `${m}:${pad(r)}`;
}

function formatField(v: number | string): string {
  if (typeof v === 'string') return v;
  return Number.isInteger(v) ? String(v) : Number(v.toPrecision(4)).toString();
}

/** A progress bar (TTY) or periodic progress lines (anything else) with throughput and ETA. */
export class Progress {
  private readonly stream: NodeJS.WritableStream;
  private readonly tty: boolean;
  private readonly intervalMs: number;
  private readonly percentStep: number;
  private readonly now: () => number;
  private readonly start: number;
  private count = 0;
  private fields: Record<string, number | string> = {};
  private lastPrint: number;
  private lastBucket = 0;
  private finished = false;

  constructor(private readonly o: ProgressOptions) {
    this.stream = o.stream ?? process.stderr;
    this.tty = o.tty ?? isInteractive(this.stream);
    this.intervalMs = o.intervalMs ?? (this.tty ? 100 : 10_000);
    this.percentStep = o.percentStep ?? 10;
    this.now = o.now ?? Date.now;
    this.start = this.now();
    this.lastPrint = this.start;
  }

  /** Records `n` more units of work and the latest values of `fields` (kept until overwritten). */
  tick(n: number, fields?: Record<string, number | string>): void {
    if (this.finished) return;
    this.count += n;
    if (fields) this.fields = { ...this.fields, ...fields };
    const t = this.now();
    if (this.tty) {
      if (t - this.lastPrint >= this.intervalMs || this.count >= this.o.total) this.redraw(t);
      return;
    }
    const bucket = this.o.total > 0 && this.percentStep > 0 ? Math.floor((100 * this.count) / this.o.total / this.percentStep) : 0;
    if (t - this.lastPrint >= this.intervalMs || bucket > this.lastBucket) {
      this.lastBucket = bucket;
      this.lastPrint = t;
      this.stream.write(`${this.status(t)}\n`);
    }
  }

  /** Prints a line; on a terminal, above the bar (which is redrawn below it). */
  log(line: string): void {
    if (this.tty && !this.finished) {
      this.stream.write(`\r\x1b[K${line}\n`);
      this.redraw(this.now());
    } else {
      this.stream.write(`${line}\n`);
    }
  }

  /** Ends the bar (final redraw and newline) or prints a closing summary line. Idempotent. */
  done(): void {
    if (this.finished) return;
    const t = this.now();
    if (this.tty) {
      this.redraw(t);
      this.stream.write('\n');
    } else {
      const seconds = (t - this.start) / 1000;
      const unit = this.o.unit ?? 'samples';
      this.stream.write(
        `${this.o.label} done: ${this.count} ${unit} in ${formatDuration(seconds)} (${this.rate(t).toFixed(1)} ${unit}/s)\n`,
      );
    }
    this.finished = true;
  }

  private rate(t: number): number {
    const seconds = (t - this.start) / 1000;
    return seconds > 0 ? this.count / seconds : 0;
  }

  /** The status text: count, percentage, throughput, ETA, elapsed time and fields. */
  private status(t: number, bar = false): string {
    const { total, label } = this.o;
    const unit = this.o.unit ?? 'samples';
    const rate = this.rate(t);
    const known = total > 0;
    const fraction = known ? Math.min(1, this.count / total) : 0;
    const parts = [label];
    if (bar && known) {
      const width = 20;
      const full = Math.round(fraction * width);
      parts.push(
        `${(100 * fraction).toFixed(0).padStart(3)}% [${'█'.repeat(full)}${'·'.repeat(width - full)}] ${this.count}/${total} ${unit}`,
      );
    } else {
      parts.push(known ? `${this.count}/${total} ${unit} (${(100 * fraction).toFixed(1)}%)` : `${this.count} ${unit}`);
    }
    parts.push(`${rate.toFixed(1)} ${unit}/s`);
    if (known) parts.push(`ETA ${rate > 0 ? formatDuration((total - this.count) / rate) : '?'}`);
    parts.push(`elapsed ${formatDuration((t - this.start) / 1000)}`);
    for (const [k, v] of Object.entries(this.fields)) parts.push(`${k}=${formatField(v)}`);
    return parts.join('  ');
  }

  private redraw(t: number): void {
    this.lastPrint = t;
    const columns = (this.stream as { columns?: number }).columns ?? 120;
    this.stream.write(`\r${this.status(t, true).slice(0, Math.max(20, columns - 1))}\x1b[K`);
  }
}
