// Real-data gating for the data tests: a suite over installed data is skipped, with the reason in its
// title, when the data are missing, unless NAC_REQUIRE_DATA says the data must be there, in which case
// the suite runs and fails. NAC_REQUIRE_DATA=1 (CI) requires the default fetch set (fashion-mnist, mnist,
// optdigits, spam-assassin); NAC_REQUIRE_DATA=all also requires kicad-points (a 379 MB download).
import { checkDataset } from '../../src/data/index.js';
import { FETCH_DEFAULT } from '../../src/data/fetch.js';

/** Whether to skip the real-data suite of `name`, and its title (carrying the skip reason). */
export function realData(name: string): { skip: boolean; title: string; missing: string | null } {
  const missing = checkDataset(name);
  const flag = process.env.NAC_REQUIRE_DATA ?? '';
  const source = name.replace(/-points$/, '');
  const required = flag === 'all' || (flag === '1' && (FETCH_DEFAULT as readonly string[]).includes(source));
  const skip = missing !== null && !required;
  return { skip, missing, title: skip ? `${name} on real data — SKIPPED: ${missing}` : `${name} on real data` };
}
