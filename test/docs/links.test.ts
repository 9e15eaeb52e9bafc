/**
 * The repository's markdown links resolve: every relative link or image in a .md file that git tracks or would
 * track (not ignored) names a file or folder that exists, and every #anchor into a markdown file names one of its
 * headings (GitHub's slugs).
 * Results pages and docs cite each other by path, so a renamed or uncommitted file shows up here.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import GithubSlugger from 'github-slugger';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');

/** Markdown files git tracks or would track, or null where git cannot list them (not a clone). */
function trackedMarkdown(): string[] | null {
  try {
    return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.md'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  } catch {
    return null;
  }
}

/** A heading's text as GitHub renders it for its anchor: links to their text, code and emphasis marks dropped. */
function headingText(markdown: string): string {
  return markdown.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '');
}

/** Text outside fenced code blocks (links and headings there are examples, not links). */
function withoutFences(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

/** The anchors of a markdown file's headings (github-slugger: GitHub's slugs, -1, -2 … for repeats). */
function anchors(text: string): Set<string> {
  const slugger = new GithubSlugger();
  return new Set([...withoutFences(text).matchAll(/^#{1,6}\s+(.*?)\s*#*\s*$/gm)].map((m) => slugger.slug(headingText(m[1]!))));
}

/** Relative link targets of a markdown text: [text](target) and ![alt](target), without titles. */
function linkTargets(text: string): string[] {
  const targets: string[] = [];
  const prose = withoutFences(text).replace(/`[^`\n]*`/g, '');
  for (const match of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const target = match[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto: …
    targets.push(target);
  }
  return targets;
}

const files = trackedMarkdown();

describe.skipIf(files == null)(
  `markdown links${files == null ? ' (skipped: not a git checkout, so no list of tracked files)' : ''}`,
  () => {
    it('reads the anchors of headings and the relative targets of links', () => {
      expect(
        anchors(
          '# GPU: (21:54–22:16 UTC)\n\n```\n# not a heading\n```\n## `npm run bench` and [the suite](b.md)\n## GPU: (21:54–22:16 UTC)\n',
        ),
      ).toEqual(new Set(['gpu-21542216-utc', 'npm-run-bench-and-the-suite', 'gpu-21542216-utc-1']));
      expect(linkTargets('see [x](a.md#b), ![p](p.svg "t"), [w](https://e.org) and `[c](code.md)`')).toEqual(['a.md#b', 'p.svg']);
    });

    it("every relative link in the repository's .md files resolves, anchors included", () => {
      const broken: string[] = [];
      const anchorCache = new Map<string, Set<string>>();
      const anchorsOf = (file: string) => {
        let set = anchorCache.get(file);
        if (set == null) anchorCache.set(file, (set = anchors(fs.readFileSync(file, 'utf8'))));
        return set;
      };
      for (const rel of files!) {
        const file = path.join(root, rel);
        if (!fs.existsSync(file)) continue; // deleted in the working tree, not yet committed
        for (const target of linkTargets(fs.readFileSync(file, 'utf8'))) {
          const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
          const resolved = pathPart === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(pathPart));
          if (!fs.existsSync(resolved)) {
            broken.push(`${rel}: ${target} (no such file)`);
          } else if (anchor != null && anchor !== '' && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor.toLowerCase())) {
            broken.push(`${rel}: ${target} (no such heading)`);
          }
        }
      }
      expect(broken).toEqual([]);
    });
  },
);
