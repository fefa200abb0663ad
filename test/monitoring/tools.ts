import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Result of one run of a real tool: exit status and everything it printed. */
export interface ToolRun {
  status: number | null;
  output: string;
}

/** Runs promtool or amtool with a time bound; they only read files, never listen. */
export function run(tool: 'promtool' | 'amtool', args: string[], cwd?: string): ToolRun {
  const r = spawnSync(tool, args, { cwd, encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw new Error(`${tool} could not run (${r.error.message}); .ci/run installs it from Debian`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** A fresh folder holding the given files. */
export function folderWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'aura-monitoring-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Splits `promtool test rules a b ...` output into each test file's part. */
export function promtoolReports(output: string): Map<string, string> {
  const reports = new Map<string, string>();
  for (const part of output.split(/^Unit Testing: +/m).slice(1)) {
    const [file, ...rest] = part.split('\n');
    reports.set(file!.trim(), rest.join('\n'));
  }
  return reports;
}
