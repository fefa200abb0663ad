import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Manifest } from '../compile';

/**
 * The benchmark's anchor: what one conventional cdk8s synth of a profile's output costs. A plain
 * cdk8s TypeScript app, as `cdk8s init typescript-app` lays it out (tsx in place of the template's
 * ts-node, which is not installed), with one App, one Chart and one ApiObject per compiled object
 * of the profile, synthesized by the cdk8s CLI. Written into `dir`; returns the object count.
 */
export function writeAnchorApp(dir: string, manifests: readonly Manifest[]): number {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'objects.json'), JSON.stringify(manifests));
  writeFileSync(join(dir, 'cdk8s.yaml'), 'language: typescript\napp: npx tsx main.ts\n');
  writeFileSync(join(dir, 'main.ts'), ANCHOR_MAIN);
  return manifests.length;
}

export const ANCHOR_MAIN = `import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiObject, type ApiObjectProps, App, Chart } from 'cdk8s';

const app = new App();
const chart = new Chart(app, 'profile');
const objects: ApiObjectProps[] = JSON.parse(readFileSync(join(__dirname, 'objects.json'), 'utf8'));
objects.forEach((props, i) => new ApiObject(chart, \`object-\${i}\`, props));
app.synth();
`;
