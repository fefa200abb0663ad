// The CLI loads the compiler lazily (src/incremental/run.ts) with require(), which cannot load
// vitest's TypeScript modules: every test file gets the compiler its modules already see.
import * as build from '../../src/build';
import { provideCompiler } from '../../src/incremental/run';

provideCompiler(build);
