/**
 * The two tiers of the test suite. `npm test` (vitest.config.mts): typecheck and every test file
 * not listed here, within 60 s on two idle cores. `npm run test:programs`
 * (vitest.programs.config.mts): the tests whose point is a real program running for minutes of
 * CPU: the contract tests of test/programs, the compiled Jobs' scripts against real redis-server,
 * Azurite, the Azure CLI and ShellCheck, the Redis failover, ansible-vault, the regeneration of
 * imports/ by cdk8s import, and the CI gate run as processes in a fresh checkout. `.ci/run` runs both.
 */
export const PROGRAM_TIER = [
  'test/programs/**/*.test.ts',
  'test/jobs/elasticsearch-provision.test.ts',
  'test/jobs/grafana-jobs.test.ts',
  'test/jobs/mongodb-jobs.test.ts',
  'test/jobs/redis-backup.test.ts',
  'test/jobs/scripts-lint.test.ts',
  'test/redis-runtime.test.ts',
  'test/profile/import.test.ts',
  'test/imports.test.ts',
  'test/hostile/gate.test.ts',
];
