import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { AuraCrds } from '../constructs/aura-crds';
import { InlineOperatorChart } from '../constructs/inline-chart';
import { chartOperators } from '../platform/operators';
import type { Platform } from '../platform/types';

/** Custom resource definitions, and operators rendered from local chart archives: installed before any object of theirs. */
export class CrdsPhase extends Chart {
  constructor(scope: Construct, platform: Platform) {
    super(scope, 'crds', { disableResourceNameHashes: true });
    const { config } = platform;
    if (platform.enabled('aura-operator')) new AuraCrds(this, 'aura', config);
    for (const operator of chartOperators(config)) {
      if (operator.chartArchive) new InlineOperatorChart(this, operator.key, { ...operator, chartArchive: operator.chartArchive }, config);
    }
  }
}
