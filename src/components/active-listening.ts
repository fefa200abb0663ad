import { ACTIVE_LISTENING_NAMESPACE } from '../platform/naming';
import type { Component, ResourceSpec } from '../platform/types';

/** Active Listening: a nightly job over the 4th Platform conversations, in a namespace of its own. */
const TOOL: ResourceSpec = { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } };

export const activeListening: Component = {
  name: 'active-listening',
  workloads: [
    {
      name: 'active-listening', phase: 'system', workload: 'CronJob', image: 'tools/active-listening', enabled: (c) => c.active_listening_enabled,
      namespace: ACTIVE_LISTENING_NAMESPACE, schedule: '0 4 * * *', ports: [], resources: TOOL,
      // The Global team's Active Listening process (its destination is set in the global vault): the release's program, not ours.
      productProgram: true, deadlineSeconds: 4 * 3600,
      env: ({ config: c }) => ({
        CONVERSATIONS_PLATFORM: c.fourth_platform.conversations.platform, CONVERSATIONS_BUCKET: c.fourth_platform.conversations.bucket,
        CONVERSATIONS_DAYS_TO_FIND: c.fourth_platform.conversations.days_to_find,
      }),
      secrets: () => ({
        ACTIVE_LISTENING_ENCRYPTION_KEY: 'active_listening_encryption_key',
        CONVERSATIONS_ACCESS_KEY: 'fourth_platform.conversations.access_key',
        CONVERSATIONS_SECRET_KEY: 'fourth_platform.conversations.secret_key',
      }),
    },
  ],
};
