// Item 4 of issue 23: the output lock is taken atomically. Several processes contend for one
// output folder's lock, half of the holders "die" (their lock left behind with a dead process
// id, as a killed run leaves it), and the others take it over; at no moment do two hold it.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const JOURNAL = process.env.AURA_LOCK_UNDER_TEST ?? join(__dirname, '../../src/output/journal.ts');
const PROCESSES = 4;
const ROUNDS = 25;

/** One contender: takes the lock ROUNDS times; inside, it claims a holder file with O_EXCL (a second holder would fail to). */
const contender = (dir: string, id: number) => `
  const fs = require('node:fs'); const path = require('node:path');
  const { lockOutput, LOCK_FILE } = require(${JSON.stringify(JOURNAL)});
  const dir = ${JSON.stringify(dir)};
  while (!fs.existsSync(path.join(dir, 'go'))) {} // start together
  let held = 0, waits = 0;
  for (let round = 0; round < ${ROUNDS}; round++) {
    let release;
    for (;;) {
      try { release = lockOutput(dir); break; } catch (e) { if (!/another run|keep taking it/.test(e.message)) throw e; waits++; }
    }
    try { fs.writeFileSync(path.join(dir, 'holder'), '${id}', { flag: 'wx' }); }
    catch { fs.appendFileSync(path.join(dir, 'violations'), '${id} ' + round + '\\n'); }
    held++;
    for (let i = 0; i < 2000; i++) fs.statSync(dir); // a while inside
    fs.rmSync(path.join(dir, 'holder'), { force: true });
    if (round % 2) {
      // "Killed": the lock stays, naming a process that is gone (written whole, as a real lock is).
      fs.writeFileSync(path.join(dir, 'dead-${id}'), '999999999 ' + require('node:crypto').randomBytes(16).toString('hex') + '\\n');
      fs.renameSync(path.join(dir, 'dead-${id}'), path.join(dir, LOCK_FILE));
    } else release();
  }
  fs.appendFileSync(path.join(dir, 'done'), '${id} ' + held + '\\n');
`;

describe('the output lock under contention', () => {
  it(`${PROCESSES} processes, ${ROUNDS} rounds each, half of the holders killed: never two holders, every round served`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aura-lock-race-'));
    writeFileSync(join(dir, '.aura-lock'), '999999999\n'); // a stale lock of an earlier version to start with
    const children = [...Array(PROCESSES).keys()].map((id) => spawn(process.execPath, ['--import', 'tsx', '-e', contender(dir, id)], { stdio: ['ignore', 'ignore', 'pipe'] }));
    const errors: string[] = [];
    for (const c of children) c.stderr!.on('data', (d) => errors.push(String(d)));
    // The children poll for "go": whoever has loaded by then starts at once, the others as they load.
    writeFileSync(join(dir, 'go'), '');
    const codes = await Promise.all(children.map((c) => new Promise<number>((ok) => c.on('exit', (code) => ok(code ?? -1)))));
    expect(errors.join('')).toBe('');
    expect(codes).toEqual(Array(PROCESSES).fill(0));
    expect(existsSync(join(dir, 'violations')) ? readFileSync(join(dir, 'violations'), 'utf8') : '').toBe('');
    const done = readFileSync(join(dir, 'done'), 'utf8').trim().split('\n');
    expect(done).toHaveLength(PROCESSES);
    for (const line of done) expect(line).toMatch(new RegExp(` ${ROUNDS}$`));
    // No private lock file is left behind (claims are cleaned by the next release, or by synth's recovery).
    expect(readdirSync(dir).filter((e) => /^\.aura-lock\.\d+-/.test(e))).toEqual([]);
  }, 240_000);
});
