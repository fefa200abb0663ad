import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { AuraCrds } from '../constructs/aura-crds';
import type { Config } from '../profile/config.generated';

/** Custom resource definitions, installed before any object of theirs. */
export class CrdsPhase extends Chart {
  constructor(scope: Construct, config: Config) {
    super(scope, 'crds', { disableResourceNameHashes: true });
    if (config.aura_operator_enabled) new AuraCrds(this, 'aura', config);
  }
}
