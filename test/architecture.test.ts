import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import execa from 'execa';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

/** Runs dependency-cruiser with the project's rules over `src` of a folder; returns the violations it reports. */
function cruise(cwd: string): { exitCode: number; errors: string[] } {
  const r = execa.sync(process.execPath, [DEPCRUISE, 'src', '--config', CONFIG, '--output-type', 'err'], { cwd, reject: false });
  return { exitCode: r.exitCode, errors: r.stdout.split('\n').filter((l) => /^\s*error /.test(l)).map((l) => l.trim()) };
}

describe('architecture rules (.dependency-cruiser.cjs)', () => {
  it('hold for src/: layers point down, no cycle, nothing imports a CLI', () => {
    const result = cruise(ROOT);
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
  });

  it('fail on an upward import, a cycle and a model module that imports ours (mutation)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aura-arch-'));
    const file = (path: string, text: string) => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    file('src/model/phases.ts', "import { x } from '../platform/naming';\nexport const y = x;\n");
    file('src/platform/naming.ts', "import { z } from '../phases/core';\nexport const x = z;\n");
    file('src/phases/core.ts', "import { y } from '../model/phases';\nexport const z = y;\n");
    const result = cruise(dir);
    expect(result.exitCode).not.toBe(0);
    expect(result.errors.join('\n')).toMatch(/no-circular/);
    expect(result.errors.join('\n')).toMatch(/model-is-a-leaf: src\/model\/phases\.ts → src\/platform\/naming\.ts/);
    expect(result.errors.join('\n')).toMatch(/layer-platform: src\/platform\/naming\.ts → src\/phases\/core\.ts/);
  });
});
