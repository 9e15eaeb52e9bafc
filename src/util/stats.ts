/**
 * Summary statistics for results over seeds or episodes: mean, sample standard deviation and a
 * two-sided 95 % confidence interval of the mean from Student's t distribution (n − 1 degrees of
 * freedom), plus the formatting every results page uses ("86.2 ± 0.4").
 */

/** Two-sided 97.5 % quantiles of Student's t for 1…30 degrees of freedom. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086,
  2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The t quantile for a 95 % two-sided interval with `df` degrees of freedom (1.96 beyond 30 is within 2 %). */
export function tQuantile95(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new Error(`tQuantile95: degrees of freedom must be an integer ≥ 1, got ${df}`);
  return df <= 30 ? (T975[df - 1] as number) : df <= 60 ? 2.0 : df <= 120 ? 1.98 : 1.96;
}

/** Mean, sample standard deviation and 95 % CI half-width of the mean (NaN half-width for n = 1). */
export interface MeanCI {
  n: number;
  mean: number;
  std: number;
  /** Half-width of the 95 % confidence interval of the mean: t(n−1) · std / √n. */
  ci95: number;
}

/** Mean and 95 % t-interval of a sample; throws on an empty sample or a non-finite value. */
export function meanCI(values: readonly number[]): MeanCI {
  const n = values.length;
  if (n === 0) throw new Error('meanCI: empty sample');
  if (values.some((v) => !Number.isFinite(v))) throw new Error(`meanCI: non-finite value in [${values.join(', ')}]`);
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { n, mean, std: 0, ci95: Number.NaN };
  const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  return { n, mean, std, ci95: (tQuantile95(n - 1) * std) / Math.sqrt(n) };
}

/** "mean ± ci" with `digits` decimals, values scaled by `scale` (e.g. 100 for percent); "mean" alone when n = 1. */
export function formatMeanCI(m: MeanCI, digits = 1, scale = 1): string {
  const mean = (m.mean * scale).toFixed(digits);
  return Number.isNaN(m.ci95) ? mean : `${mean} ± ${(m.ci95 * scale).toFixed(digits)}`;
}
