// `npm start`: install what is missing, then migrate, seed, build and serve (scripts/serve.ts).
import { ensureDependencies, runOrExit } from './lib/bootstrap.mjs';

ensureDependencies();
runOrExit('npx', ['tsx', 'scripts/serve.ts']);
