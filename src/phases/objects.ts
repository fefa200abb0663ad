import type { Construct } from 'constructs';
import type { Phase } from '../model/phases';
import type { Platform } from '../platform/types';

/** Every enabled component's own objects for a phase (custom resources and what they read), in catalog order. */
export function componentObjects(scope: Construct, platform: Platform, phase: Phase): void {
  for (const component of platform.components) component.objects?.(scope, platform, phase);
}
