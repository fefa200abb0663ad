import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/** The repository root: the folder above test/. */
export const ROOT = join(__dirname, '..', '..');

/** README.md and every docs/*.md, by path relative to the repository. */
export function documentationFiles(root = ROOT): Record<string, string> {
  const files: Record<string, string> = { 'README.md': readFileSync(join(root, 'README.md'), 'utf8') };
  for (const name of readdirSync(join(root, 'docs')).filter((n) => n.endsWith('.md')).sort()) files[`docs/${name}`] = readFileSync(join(root, 'docs', name), 'utf8');
  return files;
}

/** Lines outside fenced code blocks, with their 1-based numbers; inline code spans blanked. */
function proseLines(markdown: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((text, i) => {
    const open = /^\s{0,3}(`{3,}|~{3,})/.exec(text);
    if (open) {
      if (fence === undefined) fence = open[1]![0]!;
      else if (open[1]![0] === fence) fence = undefined;
      return;
    }
    if (fence === undefined) out.push({ line: i + 1, text: text.replace(/(`+)[^`]*?\1/g, (m) => ' '.repeat(m.length)) });
  });
  return out;
}

/** GitHub's anchor of a heading: the rendered text lowercased, punctuation dropped, spaces to hyphens. */
export function githubSlug(heading: string): string {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/[`*]/g, '');
  return rendered.trim().toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '').replace(/ /g, '-');
}

/** Every anchor a file offers: its headings (a repeated slug gets -1, -2, … as on GitHub) and explicit ids. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | undefined;
  for (const text of markdown.split('\n')) {
    const open = /^\s{0,3}(`{3,}|~{3,})/.exec(text);
    if (open) {
      if (fence === undefined) fence = open[1]![0]!;
      else if (open[1]![0] === fence) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (heading) {
      const slug = githubSlug(heading[1]!);
      const n = seen.get(slug) ?? 0;
      seen.set(slug, n + 1);
      anchors.add(n === 0 ? slug : `${slug}-${n}`);
    }
    for (const id of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(id[1]!);
  }
  return anchors;
}

export interface Link {
  file: string;
  line: number;
  target: string;
}

/** The relative links of a file: inline `[text](target)` and reference definitions, outside code. */
export function linksOf(file: string, markdown: string): Link[] {
  const links: Link[] = [];
  for (const { line, text } of proseLines(markdown)) {
    for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ file, line, target: m[1]! });
    const ref = /^\s{0,3}\[[^\]]+\]:\s*(\S+)/.exec(text);
    if (ref) links.push({ file, line, target: ref[1]! });
  }
  return links.filter((l) => !/^[a-z][a-z0-9+.-]*:/i.test(l.target));
}

/**
 * What is wrong with the links of the given files: a target file that does not exist, or an anchor
 * the target does not have. Markdown targets among `files` are read from there (so a test can
 * break one in memory); any other target is looked up on disk under `root`.
 */
export function linkProblems(files: Record<string, string>, root = ROOT): string[] {
  const anchorCache = new Map<string, Set<string>>();
  const anchors = (path: string): Set<string> | undefined => {
    if (!anchorCache.has(path)) {
      const text = files[path] ?? (existsSync(join(root, path)) && statSync(join(root, path)).isFile() ? readFileSync(join(root, path), 'utf8') : undefined);
      if (text === undefined) return undefined;
      anchorCache.set(path, anchorsOf(text));
    }
    return anchorCache.get(path);
  };
  const problems: string[] = [];
  for (const [file, markdown] of Object.entries(files)) {
    for (const link of linksOf(file, markdown)) {
      const [pathPart, anchor] = link.target.split('#', 2) as [string, string | undefined];
      const path = pathPart === '' ? file : normalize(join(dirname(file), decodeURIComponent(pathPart))).replace(/\\/g, '/');
      const where = `${file}:${link.line}: ${link.target}`;
      if (path.startsWith('..') || relative(root, join(root, path)).startsWith('..')) {
        problems.push(`${where}: points outside the repository`);
        continue;
      }
      if (!(path in files) && !existsSync(join(root, path))) {
        problems.push(`${where}: no such file ${path}`);
        continue;
      }
      if (anchor === undefined || anchor === '') continue;
      if (!path.endsWith('.md')) {
        problems.push(`${where}: an anchor into a file that is not Markdown`);
        continue;
      }
      if (!anchors(path)?.has(anchor.toLowerCase())) problems.push(`${where}: ${path} has no heading with the anchor #${anchor}`);
    }
  }
  return problems;
}

/** The alerts whose runbook is missing from the runbooks file, and the runbook headings no alert has. */
export function runbookProblems(runbooks: string, alerts: Iterable<string>, anchorOf: (alert: string) => string): string[] {
  const anchors = anchorsOf(runbooks);
  const headings = new Set(proseLines(runbooks).flatMap(({ text }) => /^## (.+)$/.exec(text)?.[1]?.trim() ?? []));
  const wanted = new Set<string>();
  const problems: string[] = [];
  for (const alert of alerts) {
    wanted.add(alert);
    if (!anchors.has(anchorOf(alert))) problems.push(`alert ${alert}: no runbook heading "## ${alert}" (anchor #${anchorOf(alert)})`);
  }
  for (const heading of headings) if (!wanted.has(heading)) problems.push(`runbook heading "## ${heading}": no alert has that name`);
  return problems;
}
