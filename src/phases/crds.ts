import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { chartOperators } from '../components/operators';
import { InlineOperatorChart } from '../constructs/inline-chart';
import type { Platform } from '../platform/types';
import { componentObjects } from './objects';

/** Custom resource definitions, and operators rendered from local chart archives: installed before any object of theirs. */
export class CrdsPhase extends Chart {
  constructor(scope: Construct, platform: Platform) {
    super(scope, 'crds', { disableResourceNameHashes: true });
    const { config } = platform;
    componentObjects(this, platform, 'crds');
    for (const operator of chartOperators(config)) {
      if (operator.chartArchive) new InlineOperatorChart(this, operator.key, { ...operator, chartArchive: operator.chartArchive }, config);
    }
  }
}
