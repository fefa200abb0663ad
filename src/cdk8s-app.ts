// Entry point for the cdk8s CLI (cdk8s.yaml): `npx cdk8s synth` compiles the profile named by
// AURA_PROFILE (default de-pro) through the same pipeline as `npm run synth`, into CDK8S_OUTDIR.
import { main } from './cli';

const outdir = process.env.CDK8S_OUTDIR ?? 'cdk8s.out';
process.exitCode = main(['synth', '--profile', process.env.AURA_PROFILE ?? 'de-pro', '--out', outdir]);
