// Entry of the command line (`npm run cli -- <command>`, package bin `isolation-desk`). Nothing heavy is imported
// here: run.ts loads only the chosen command's module, so the tool starts fast.
import { cliMain } from './run.ts';

process.exitCode = await cliMain(process.argv.slice(2));
