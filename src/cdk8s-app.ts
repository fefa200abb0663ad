// Entry point for the cdk8s CLI (cdk8s.yaml). `npx cdk8s synth` compiles the profiles named by
// AURA_PROFILE (comma-separated, default de-pro) through the same pipeline as `npm run synth`,
// and writes what cdk8s users expect: plain manifests only, one multi-document file per profile,
// <profile>.k8s.yaml in CDK8S_OUTDIR, objects in install order. `npx cdk8s synth --stdout` is
// then one YAML stream for `kubectl apply -f -`. The charts, kustomizations, GitOps objects and
// infrastructure parameters stay with `npm run synth` (dist/).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildProfile, CheckError } from './build';
import { DEFAULT_PROFILES_DIR } from './cli';
import { installOrder } from './output/kustomize';
import { fileHeader } from './output/layout';
import { toYaml } from './output/yaml';
import { ProfileError } from './profile/errors';

/** One profile's objects as one YAML stream: a header comment, then each object after `---`. */
export function multiDocument(name: string, objects: Parameters<typeof installOrder>[0]): string {
  return `# ${fileHeader(name)}\n${installOrder(objects).map((o) => `---\n${toYaml(o.manifest)}`).join('')}`;
}

/** Returns the exit code: 0, or 1 when a profile is invalid or fails the checks (nothing is written then). */
export function synthForCdk8s(profiles: string[], outdir: string, err: (line: string) => void = console.error): number {
  const files = new Map<string, string>();
  for (const ref of profiles) {
    try {
      const b = buildProfile(ref, DEFAULT_PROFILES_DIR);
      files.set(`${b.name}.k8s.yaml`, multiDocument(b.name, b.objects));
    } catch (e) {
      if (!(e instanceof ProfileError || e instanceof CheckError)) throw e;
      err(`✗ ${e.message}`);
      return 1;
    }
  }
  mkdirSync(outdir, { recursive: true });
  for (const [file, text] of files) writeFileSync(join(outdir, file), text);
  return 0;
}

if (require.main === module) {
  const profiles = (process.env.AURA_PROFILE ?? 'de-pro').split(',').map((p) => p.trim()).filter(Boolean);
  process.exitCode = synthForCdk8s(profiles, resolve(process.env.CDK8S_OUTDIR ?? 'cdk8s.out'));
}
