// Architecture rules, checked by `npm test` (test/architecture.test.ts) and by
// `npx depcruise src`. Dependencies point down the layers of ../shared/DESIGN.md:
// a module may import its own layer and the layers below it, never above; and no cycles.
// No module is exempt: every command-line entry point is a file of src/commands/, the top layer.

/** Bottom to top. A name is a folder of src/ or a top-level module (compile.ts, build.ts). */
const LAYERS = [
  ['model', 'util', 'tools'],
  ['profile'],
  ['platform'],
  // Generic constructs (workload L2s, KeyVaultSecrets, AccessPolicy): a component builds its own custom resources with them.
  ['constructs'],
  ['components'],
  ['phases'],
  ['compile'],
  ['checks'],
  ['output'],
  ['delivery', 'infra', 'review', 'migrate'],
  ['build', 'incremental', 'bench'],
  ['commands'],
];

const modulePath = (name) => `^src/${name}(/|\\.ts$)`;
const KNOWN = LAYERS.flat().map(modulePath).join('|');

const layering = LAYERS.slice(0, -1).flatMap((names, level) =>
  names.map((name) => ({
    name: `layer-${name}`,
    comment: `${name} may import only ${LAYERS.slice(0, level + 1).flat().join(', ')} (and imports/, node_modules)`,
    severity: 'error',
    from: { path: modulePath(name) },
    to: { path: LAYERS.slice(level + 1).flat().map(modulePath).join('|') },
  })),
);

module.exports = {
  forbidden: [
    { name: 'no-circular', comment: 'an import cycle: modules that cannot be understood or tested apart', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'in-a-layer',
      comment: 'every module of src/ belongs to a layer: a new folder or top-level module is placed in LAYERS first',
      severity: 'error',
      from: { path: '^src/', pathNot: KNOWN },
      to: {},
    },
    {
      name: 'src-imports-no-script',
      comment: 'scripts/ are build tools run by npm scripts; the shipped code never imports them',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^scripts/' },
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
