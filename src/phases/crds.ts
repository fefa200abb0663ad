import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { AuraCrds } from '../constructs/aura-crds';
import { InlineOperatorChart } from '../constructs/inline-chart';
import { chartOperators } from '../platform/operators';
import type { Config } from '../profile/config.generated';

/** Custom resource definitions, and operators rendered from local chart archives: installed before any object of theirs. */
export class CrdsPhase extends Chart {
  constructor(scope: Construct, config: Config) {
    super(scope, 'crds', { disableResourceNameHashes: true });
    if (config.aura_operator_enabled) new AuraCrds(this, 'aura', config);
    for (const operator of chartOperators(config)) {
      if (operator.chartArchive) new InlineOperatorChart(this, operator.key, { ...operator, chartArchive: operator.chartArchive }, config);
    }
  }
}
