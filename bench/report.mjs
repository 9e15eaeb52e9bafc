/**
 * Markdown rendering of a bench/run.mjs result document (bench.md next to bench.json).
 */

const f1 = (x) => (x == null ? '–' : x.toFixed(1));

/**
 * The native add-on's status for a results header, after `sep`, unless the add-on runs the products (then
 * describeBackend's line names it already: machine.wasmMatMulImpl 'native'); '' without one.
 */
export function addOnNote(machine, sep) {
  return machine.nativeBlas && machine.wasmMatMulImpl !== 'native' ? `${sep}${machine.nativeBlas}` : '';
}

/** One markdown table row per model and phase, with PyTorch columns when the twin ran. */
export function renderMarkdown(doc) {
  const m = doc.machine;
  const vs = doc.results.some((r) => r.torch);
  const lines = [
    `# Benchmark: ${doc.config}, ${doc.options.backend}, batch ${doc.batch}`,
    '',
    `${doc.date} · ${m.cpuDetail ?? m.cpu}, ${m.cores} cores, Node ${m.node} · ${m.backend}${addOnNote(m, ' · ')} · OPENBLAS_CORETYPE ${m.openblasCoretype} · ` +
      `load average at start ${m.loadAvg.map((x) => x.toFixed(2)).join(' ')}`,
    `Warm-up ${doc.options.warmup}, median of ${doc.options.repeats}. Train step = forward + soft-target cross-entropy + backward + ` +
      'clipping + AdamW (src/train/train-step.ts); forward = eval mode. FLOPs: analytical matmul/conv FLOPs (src/model/flops.ts), train = 3× forward.',
    vs
      ? `PyTorch twin: ${doc.torchEnv?.torch} on ${doc.torchEnv?.device}, ${doc.torchThreads} thread(s), OPENBLAS_CORETYPE ${doc.torchEnv?.OPENBLAS_CORETYPE}, glibc malloc without trim/mmap churn (TWIN_MALLOC_ENV of bench/torch-bridge.mjs).`
      : '',
    '',
    `| model | params | phase | ms | samples/s | GFLOP | GFLOP/s | peak RSS MB | tf tensors |${vs ? ' PyTorch ms | PyTorch GFLOP/s | ours / PyTorch |' : ''}`,
    `|---|---:|---|---:|---:|---:|---:|---:|---:|${vs ? '---:|---:|---:|' : ''}`,
  ];
  for (const r of doc.results) {
    for (const phase of ['train', 'infer']) {
      const o = r.ours[phase];
      if (!o) continue;
      const fl = phase === 'train' ? r.flops.train : r.flops.forward.total;
      const t = r.torch?.[phase];
      let row = `| ${r.model} | ${(r.params / 1e6).toFixed(2)} M | ${phase === 'train' ? 'train step' : 'forward'} | ${f1(o.ms)} | ${o.samplesPerSec < 10 ? o.samplesPerSec.toFixed(2) : o.samplesPerSec.toFixed(0)} | ${(fl / 1e9).toFixed(2)} | ${f1(fl / o.ms / 1e6)} | ${o.memory.peakRssMB.toFixed(0)} | ${o.memory.tfNumTensors} |`;
      if (vs) row += t ? ` ${f1(t.ms)} | ${f1(fl / t.ms / 1e6)} | ${(o.ms / t.ms).toFixed(2)}x |` : ' – | – | – |';
      lines.push(row);
    }
  }
  if (vs) {
    lines.push('', '| model | eval loss (ours) | eval loss (PyTorch) | abs. diff | logits max rel. diff |', '|---|---:|---:|---:|---:|');
    for (const r of doc.results) {
      const p = r.torch?.parity;
      if (p)
        lines.push(
          `| ${r.model} | ${p.lossOurs.toFixed(6)} | ${p.lossTorch.toFixed(6)} | ${p.lossAbsDiff.toExponential(1)} | ${p.logitsMaxRelDiff.toExponential(1)} |`,
        );
    }
  }
  return `${lines.join('\n')}\n`;
}
