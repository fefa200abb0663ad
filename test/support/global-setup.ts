// The run's fixture folder (test/support/shared-fixtures.ts): new and empty each run, removed at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'aura-test-fixtures-'));
  project.provide('fixtureDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
