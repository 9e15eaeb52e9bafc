/**
 * Classification metrics accumulated over evaluation batches: top-1 and top-5 accuracy, mean loss,
 * per-class accuracy and the confusion matrix. Works on plain arrays (logits read back from tfjs).
 */

/** The metrics of one evaluation pass. */
export interface EvalMetrics {
  /** Fraction of examples whose highest logit is the label (ties: the lowest class index wins, as argMax). */
  top1: number;
  /** Fraction whose label is among the min(5, C) highest logits. */
  top5: number;
  /** Mean loss per example: Σ lossSum / count. */
  loss: number;
  /** Top-1 accuracy of each class (NaN for a class with no examples). */
  perClassAccuracy: number[];
  /** Number of examples of each class. */
  classCounts: number[];
  /** confusion[label][prediction] counts. */
  confusion: number[][];
  /** Number of examples seen. */
  count: number;
}

/** Accumulates {@link EvalMetrics} over batches; metrics of an empty pass are NaN. */
export class MetricAccumulator {
  private readonly confusion: number[][];
  private top1Hits = 0;
  private topKHits = 0;
  private lossSum = 0;
  private count = 0;

  /** `numClasses` ≥ 1 classes. */
  constructor(readonly numClasses: number) {
    if (!Number.isInteger(numClasses) || numClasses < 1)
      throw new Error(`MetricAccumulator: numClasses must be a positive integer, got ${numClasses}`);
    this.confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  }

  /**
   * Adds a batch: row-major logits of shape [B, C], labels [B] and the batch's summed per-example
   * loss (mean loss × B).
   */
  add(logits: Float32Array, shape: [number, number], labels: Int32Array, lossSum: number): void {
    const [B, C] = shape;
    if (C !== this.numClasses) throw new Error(`MetricAccumulator.add: logits have ${C} classes, expected ${this.numClasses}`);
    if (logits.length !== B * C)
      throw new Error(`MetricAccumulator.add: logits hold ${logits.length} values, shape [${B}, ${C}] needs ${B * C}`);
    if (labels.length !== B) throw new Error(`MetricAccumulator.add: ${labels.length} labels for a batch of ${B}`);
    const k = Math.min(5, C);
    for (let b = 0; b < B; b++) {
      const label = labels[b]!;
      if (!Number.isInteger(label) || label < 0 || label >= C)
        throw new Error(`MetricAccumulator.add: label ${label} at index ${b} is outside [0, ${C})`);
      const row = b * C;
      const own = logits[row + label]!;
      // Rank of the label in a stable descending sort: classes scored higher, or equal with a lower index.
      let rank = 0;
      let best = 0;
      for (let c = 0; c < C; c++) {
        const v = logits[row + c]!;
        if (v > own || (v === own && c < label)) rank++;
        if (v > logits[row + best]!) best = c;
      }
      this.confusion[label]![best]!++;
      if (rank === 0) this.top1Hits++;
      if (rank < k) this.topKHits++;
    }
    this.lossSum += lossSum;
    this.count += B;
  }

  /** The metrics so far (copies; the accumulator can keep going). */
  result(): EvalMetrics {
    const n = this.count;
    const classCounts = this.confusion.map((row) => row.reduce((a, b) => a + b, 0));
    return {
      top1: n ? this.top1Hits / n : NaN,
      top5: n ? this.topKHits / n : NaN,
      loss: n ? this.lossSum / n : NaN,
      perClassAccuracy: this.confusion.map((row, c) => (classCounts[c] ? row[c]! / classCounts[c]! : NaN)),
      classCounts,
      confusion: this.confusion.map((row) => row.slice()),
      count: n,
    };
  }
}
