/**
 * The subcommand registry: adding a command is one export line here (e.g. `bakeCommand` from
 * `./bake.ts`); main.ts dispatches over whatever this module exports.
 */
export { mtmCommand } from './mtm.ts';
export { evaluateCommand } from './evaluate.ts';
export { bakeCommand } from './bake.ts';
export { assetsCommand } from './assets.ts';
