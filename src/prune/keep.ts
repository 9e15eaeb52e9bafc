/**
 * Which module groups can be pruned, and how many modules of a group to keep: `--keep` accepts a
 * fraction ("0.5", "1.0"), a percentage ("50%") or a count ("8"), resolved against the group's size.
 */
import { ConfigError } from '../config/validate.js';
import type { NACConfig } from '../config/nac-config.js';

/** The module groups of a NAC, in forward order. */
export const PRUNE_GROUPS = ['readIn', 'propagator', 'readOut'] as const;
/** One of {@link PRUNE_GROUPS}. */
export type PruneGroup = (typeof PRUNE_GROUPS)[number];

/** The config field that holds each group's module count. */
export const GROUP_COUNT_FIELD: Readonly<Record<PruneGroup, 'numReadIn' | 'numPropagators' | 'numReadOut'>> = {
  readIn: 'numReadIn',
  propagator: 'numPropagators',
  readOut: 'numReadOut',
};

/** How many modules to keep: a fraction in (0, 1] of the group, or an absolute count ≥ 1. */
export type KeepSpec = { fraction: number } | { count: number };

const KEEP_HELP =
  "a fraction in (0, 1] written with a decimal point ('0.5', '1.0'), a percentage in (0, 100] ('50%'), or a module count ≥ 1 ('8')";

/** Parses a `--keep` value; throws a ConfigError naming `field` and the allowed forms. */
export function parseKeep(text: string, field = '--keep'): KeepSpec {
  const s = text.trim();
  const bad = (): never => {
    throw new ConfigError(field, `must be ${KEEP_HELP}; got '${text}'`);
  };
  if (s.endsWith('%')) {
    const body = s.slice(0, -1).trim();
    const v = Number(body);
    if (body === '' || !Number.isFinite(v) || v <= 0 || v > 100) bad();
    return { fraction: v / 100 };
  }
  if (!/^[0-9]*\.?[0-9]+(e-?[0-9]+)?$/i.test(s)) bad();
  const v = Number(s);
  if (s.includes('.') || /e/i.test(s)) {
    if (!(v > 0 && v <= 1)) bad();
    return { fraction: v };
  }
  if (!Number.isInteger(v) || v < 1) bad();
  return { count: v };
}

/**
 * The number of modules to keep out of `size`: a fraction rounds to the nearest count (at least 1).
 * Throws a ConfigError naming `field` when the spec is out of range or asks for more than the group has.
 */
export function resolveKeep(spec: KeepSpec, size: number, field = '--keep', group = 'the group'): number {
  if ('fraction' in spec) {
    const f = spec.fraction;
    if (!(Number.isFinite(f) && f > 0 && f <= 1)) throw new ConfigError(field, `must be ${KEEP_HELP}; got fraction ${f}`);
    return Math.min(size, Math.max(1, Math.round(f * size)));
  }
  const c = spec.count;
  if (!Number.isInteger(c) || c < 1) throw new ConfigError(field, `must be ${KEEP_HELP}; got count ${c}`);
  if (c > size) throw new ConfigError(field, `asks to keep ${c} modules but ${group} has only ${size}; allowed counts: 1…${size}`);
  return c;
}

/** Number of modules of a group in a config. */
export function groupSize(cfg: NACConfig, group: PruneGroup): number {
  return cfg[GROUP_COUNT_FIELD[group]];
}

/** Parses a comma-separated `--groups` list; throws a ConfigError naming the allowed groups. */
export function parseGroups(text: string, field = '--groups'): PruneGroup[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) throw new ConfigError(field, `must list at least one of ${PRUNE_GROUPS.join(', ')}; got '${text}'`);
  const out: PruneGroup[] = [];
  for (const n of names) {
    if (!(PRUNE_GROUPS as readonly string[]).includes(n)) {
      throw new ConfigError(field, `must be a comma-separated list of ${PRUNE_GROUPS.join(', ')}; got '${n}'`);
    }
    if (!out.includes(n as PruneGroup)) out.push(n as PruneGroup);
  }
  return out;
}
