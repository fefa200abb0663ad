import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCRIPTS_DIR } from '../../src/components/job-tools';

/**
 * The Jobs' scripts, linted as the files they are: ShellCheck for the shell scripts (POSIX sh or
 * bash, as each is run), Python's compiler for the Python ones, node's parser for mongosh's.
 * Their behaviour is tested by running them (the other files of test/jobs).
 */
const scripts = readdirSync(SCRIPTS_DIR).sort();
const lint = (file: string): string => {
  const path = join(SCRIPTS_DIR, file);
  try {
    if (file.endsWith('.sh')) execFileSync('shellcheck', ['--shell', file === 'backup-storage.sh' ? 'bash' : 'sh', path], { encoding: 'utf8', stdio: 'pipe', timeout: 30_000 });
    else if (file.endsWith('.py')) execFileSync('python3', ['-c', 'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])', path], { stdio: 'pipe', timeout: 30_000 });
    else if (file.endsWith('.js')) execFileSync(process.execPath, ['--check', path], { stdio: 'pipe', timeout: 30_000 });
    else return `${file}: not a script kind the Jobs run`;
    return '';
  } catch (e: any) {
    return `${file}: ${e.stdout ?? ''}${e.stderr ?? ''}`;
  }
};

describe('the Jobs\' scripts', () => {
  it('are shell, Python or mongosh scripts, each clean', () => {
    expect(scripts).toEqual(expect.arrayContaining(['backup-storage.sh', 'redis.sh', 'mongodb.sh', 'mongodb-provision.js', 'elasticsearch-provision.py', 'grafana.py', 'aura_http.py']));
    expect(scripts.map(lint).filter(Boolean)).toEqual([]);
  });

  it('the lint fails on a script with a fault (mutation)', () => {
    const bad = join(tmpdir(), `aura-lint-${process.pid}.sh`);
    writeFileSync(bad, '#!/bin/sh\nfor f in $(ls *.txt); do echo $f; done\n');
    try {
      expect(() => execFileSync('shellcheck', ['--shell', 'sh', bad], { stdio: 'pipe' })).toThrow();
    } finally {
      rmSync(bad, { force: true });
    }
  });
});
