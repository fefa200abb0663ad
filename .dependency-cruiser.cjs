// Architecture rules, checked by `npm test` (test/architecture.test.ts) and by
// `npx depcruise src`. Dependencies point down the layers of ../shared/DESIGN.md:
// a module may import its own layer and the layers below it, never above; and no cycles.

/** Bottom to top. A name is a folder of src/ or a top-level module (compile.ts, build.ts). */
const LAYERS = [
  ['model', 'util', 'tools'],
  ['profile'],
  ['platform', 'components'],
  ['constructs'],
  ['phases'],
  ['compile'],
  ['checks'],
  ['output'],
  ['delivery', 'infra', 'review'],
  ['build', 'incremental'],
  ['commands', 'cli', 'cdk8s-app'],
];

/** Command-line entry points still inside a domain folder: they belong to the top layer. */
const CLI_FILES = '(^src/cli\\.ts$|^src/main\\.ts$|^src/cdk8s-app\\.ts$|/cli\\.ts$|/package-cli\\.ts$)';
const modulePath = (name) => `^src/${name}(/|\\.ts$)`;

const layering = LAYERS.slice(0, -1).flatMap((names, level) =>
  names.map((name) => ({
    name: `layer-${name}`,
    comment: `${name} may import only ${LAYERS.slice(0, level + 1).flat().join(', ')} (and imports/, node_modules)`,
    severity: 'error',
    from: { path: modulePath(name), pathNot: CLI_FILES },
    to: { path: LAYERS.slice(level + 1).flat().map(modulePath).join('|') },
  })),
);

module.exports = {
  forbidden: [
    { name: 'no-circular', comment: 'an import cycle: modules that cannot be understood or tested apart', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'no-domain-imports-a-cli',
      comment: 'a command-line module is an entry point; shared IO and exit codes live in a module of their own',
      severity: 'error',
      from: { path: '^src/', pathNot: CLI_FILES },
      to: { path: CLI_FILES },
    },
    {
      name: 'model-is-a-leaf',
      comment: 'src/model imports nothing of ours',
      severity: 'error',
      from: { path: '^src/model/' },
      to: { path: '^src/', pathNot: '^src/model/' },
    },
    ...layering,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(imports|node_modules)/' },
    // Type-only imports count: a cycle of types is still a cycle for the reader.
    tsPreCompilationDeps: true,
  },
};
