import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { Platform } from '../platform/types';
import { componentObjects } from './objects';

/** The agents' namespace and what runs there: only what components build for this phase. */
export class AgentsPhase extends Chart {
  constructor(scope: Construct, platform: Platform) {
    super(scope, 'agents', { disableResourceNameHashes: true });
    componentObjects(this, platform, 'agents');
  }
}
