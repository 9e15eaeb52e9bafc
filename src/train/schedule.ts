/**
 * The learning-rate schedule of the training recipe (spec §2.1, timm's cosine scheduler): a linear
 * warmup from `warmupStartLr` to `baseLr`, then a half cosine from `baseLr` down to `minLr`, reached at
 * `totalSteps` and held after it. Steps are optimizer steps (the trainer may also pass epochs).
 */

/** Options of {@link learningRateAt}. */
export interface ScheduleOptions {
  /** Peak learning rate, reached at the end of the warmup. */
  baseLr: number;
  /** Final learning rate (default 0). */
  minLr?: number;
  /** Length of the linear warmup in steps (0 = none). */
  warmupSteps: number;
  /** Step at which the cosine reaches `minLr`. */
  totalSteps: number;
  /** Learning rate at step 0 (default 1e-6, timm's `warmup_lr`, capped at `baseLr`). */
  warmupStartLr?: number;
}

/** Default start of the warmup: spec §2.1's `warmup_lr`. */
export const DEFAULT_WARMUP_START_LR = 1e-6;

/** Throws naming the first invalid field of a schedule. */
export function validateSchedule(o: ScheduleOptions): void {
  const check = (field: string, v: number | undefined, ok: boolean): void => {
    if (!ok) throw new Error(`schedule: ${field} = ${v} is invalid`);
  };
  check('baseLr', o.baseLr, Number.isFinite(o.baseLr) && o.baseLr >= 0);
  check('minLr', o.minLr, o.minLr === undefined || (Number.isFinite(o.minLr) && o.minLr >= 0));
  check('warmupStartLr', o.warmupStartLr, o.warmupStartLr === undefined || (Number.isFinite(o.warmupStartLr) && o.warmupStartLr >= 0));
  check('warmupSteps', o.warmupSteps, Number.isFinite(o.warmupSteps) && o.warmupSteps >= 0);
  check('totalSteps', o.totalSteps, Number.isFinite(o.totalSteps) && o.totalSteps >= o.warmupSteps);
}

/**
 * The learning rate at `step` (0-based):
 * - step < warmupSteps: warmupStartLr + (baseLr − warmupStartLr) · step / warmupSteps;
 * - warmupSteps ≤ step < totalSteps: minLr + ½ (baseLr − minLr) (1 + cos(π (step − warmupSteps) / (totalSteps − warmupSteps)));
 * - step ≥ totalSteps: minLr. Negative steps count as 0.
 */
export function learningRateAt(step: number, o: ScheduleOptions): number {
  validateSchedule(o);
  const minLr = o.minLr ?? 0;
  const startLr = Math.min(o.warmupStartLr ?? DEFAULT_WARMUP_START_LR, o.baseLr);
  const s = Math.max(0, step);
  if (s < o.warmupSteps) return startLr + ((o.baseLr - startLr) * s) / o.warmupSteps;
  if (s >= o.totalSteps) return minLr;
  const progress = (s - o.warmupSteps) / (o.totalSteps - o.warmupSteps);
  return minLr + 0.5 * (o.baseLr - minLr) * (1 + Math.cos(Math.PI * progress));
}
