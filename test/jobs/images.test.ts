import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { podSpecOf } from '../../src/checks/wiring/check';
import { compiledObjects, SHIPPED } from '../helpers';
import { loadProfile } from '../../src/profile/load';
import { validateProfile } from '../../src/profile/validate';
import { DEFAULT_PROFILES_DIR } from '../../src/profile/repository';

/** docs/images.md has a row for every image the output of any shipped profile runs, with its pinned tag. */
const DOC = readFileSync(join(__dirname, '..', '..', 'docs', 'images.md'), 'utf8');

/** Rows of the table: each repository of the first cell, with the second cell's tag (`release` for the profile's tag). */
function documented(doc: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of doc.split('\n').filter((l) => /^\| `/.test(l))) {
    const [, images, tag] = line.split('|').map((c) => c.trim());
    const t = /^`([^`]+)`$/.exec(tag!)?.[1] ?? tag!;
    for (const m of images!.matchAll(/`([^`]+)`/g)) rows.set(m[1]!, t);
  }
  return rows;
}

/** Images (under `<registry>/aura/`) with no row, or whose row gives another tag. */
function undocumented(images: { image: string; releaseTag: string }[], doc: string): string[] {
  const rows = documented(doc);
  const problems = new Set<string>();
  for (const { image, releaseTag } of images) {
    const m = /\/aura\/(.+):([^:/]+)$/.exec(image);
    if (!m) {
      problems.add(`${image}: not under the registry's aura/`);
      continue;
    }
    const [, repo, tag] = m;
    const row = rows.get(repo!);
    if (row === undefined) problems.add(`${repo}: no row in docs/images.md`);
    else if (row === 'release' ? tag !== releaseTag : row !== tag) problems.add(`${repo}: docs/images.md says ${row}, the output runs ${tag}`);
  }
  return [...problems].sort();
}

const images = SHIPPED.flatMap((name) => {
  const releaseTag = validateProfile(loadProfile(name, DEFAULT_PROFILES_DIR)).images.tag;
  return compiledObjects(name).flatMap(({ manifest }) => {
    const pod = podSpecOf(manifest);
    return pod ? [...(pod.initContainers ?? []), ...pod.containers].map((c: any) => ({ image: c.image as string, releaseTag })) : [];
  });
});

describe('Jobs of every shipped profile', () => {
  const jobs = SHIPPED.flatMap((name) => compiledObjects(name).map((o) => o.manifest).filter((m) => m.kind === 'Job' || m.kind === 'CronJob').map((m) => ({ name, m: m as any })));
  it('each is bounded in time, and each container runs a command of ours unless it is an Aura release program', () => {
    const RELEASE_PROGRAMS = ['aura-bot-makeup', 'nlp-provisioning', 'active-listening'];
    for (const { name, m } of jobs) {
      const spec = m.kind === 'CronJob' ? m.spec.jobTemplate.spec : m.spec;
      expect(spec.activeDeadlineSeconds, `${name} ${m.metadata.name}`).toBeGreaterThan(0);
      for (const c of podSpecOf(m).containers) {
        if (RELEASE_PROGRAMS.includes(m.metadata.name)) expect(c.image, `${name} ${m.metadata.name}`).not.toMatch(/\/aura\/thirdparty\//);
        else expect(c.command?.length, `${name} ${m.metadata.name} container ${c.name}`).toBeGreaterThan(0);
      }
    }
    expect(jobs.length).toBeGreaterThan(80);
  });
});

describe('docs/images.md', () => {
  it('has a row for every image of every shipped profile, with the tag the output runs', () => {
    expect(images.length).toBeGreaterThan(100);
    expect(undocumented(images, DOC)).toEqual([]);
  });

  it('the check fails on a missing row and on a stale tag (mutations)', () => {
    const withoutRedis = DOC.split('\n').filter((l) => !l.startsWith('| `thirdparty/redis` |')).join('\n');
    expect(undocumented(images, withoutRedis)).toEqual(['thirdparty/redis: no row in docs/images.md']);
    const stale = DOC.replace('| `thirdparty/azure-cli` | `2.64.0` |', '| `thirdparty/azure-cli` | `2.63.0` |');
    expect(undocumented(images, stale)).toEqual(['thirdparty/azure-cli: docs/images.md says 2.63.0, the output runs 2.64.0']);
  });
});
