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
  it('hold for src/: layers point down, no cycle, commands on top with no exemption', () => {
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

  it('fail when a module below the command layer imports a command, when src/ imports scripts/, and for a module in no layer (mutation)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aura-arch-'));
    const file = (path: string, text: string) => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    file('src/commands/command.ts', 'export const DEFAULT_OUT = "dist";\n');
    file('src/commands/synth.ts', "import { DEFAULT_OUT } from './command';\nexport const main = () => DEFAULT_OUT;\n");
    // Five domain command files once took their defaults from the synth command: never again.
    file('src/infra/run.ts', "import { main } from '../commands/synth';\nexport const x = main();\n");
    file('src/review/objects.ts', "import { DEFAULT_OUT } from '../commands/command';\nexport const y = DEFAULT_OUT;\n");
    file('scripts/bench/scale.ts', 'export const z = 1;\n');
    file('src/build.ts', "import { z } from '../scripts/bench/scale';\nexport const b = z;\n");
    file('src/cli.ts', "import { b } from './build';\nexport const c = b;\n");
    const result = cruise(dir);
    const errors = result.errors.join('\n');
    expect(result.exitCode).not.toBe(0);
    expect(errors).toMatch(/layer-infra: src\/infra\/run\.ts → src\/commands\/synth\.ts/);
    expect(errors).toMatch(/layer-review: src\/review\/objects\.ts → src\/commands\/command\.ts/);
    expect(errors).toMatch(/src-imports-no-script: src\/build\.ts → scripts\/bench\/scale\.ts/);
    expect(errors).toMatch(/in-a-layer: src\/cli\.ts/);
    // The command layer itself may import anything below it.
    expect(errors).not.toMatch(/src\/commands\/synth\.ts →/);
  });
});
