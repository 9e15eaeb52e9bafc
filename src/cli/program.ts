/**
 * The `nac` command tree, one sub-command per file in this folder, with the exit codes the help text
 * promises: 0 done (and --help), 2 bad input (commander's own parse errors included: an unknown option,
 * a value outside an option's choices), 3 stopped on a non-finite loss.
 */
import { Command, type CommanderError } from 'commander';
import { registerReferenceCheck } from './reference-check.js';
import { registerInfo } from './info.js';
import { registerInit } from './init.js';
import { registerTrain } from './train.js';
import { registerEval } from './eval.js';
import { registerDemo } from './demo.js';
import { registerPredict } from './predict.js';
import { registerCircuit } from './circuit.js';
import { registerPrune } from './prune.js';
import { registerAdapt } from './adapt.js';
import { EXIT_BAD_INPUT } from './common.js';

export { EXIT_BAD_INPUT };

/**
 * Builds the `nac` program. `exit` ends the process after commander's own messages (help, parse errors);
 * tests pass one that throws instead.
 */
export function nacProgram(exit: (code: number) => never = (code) => process.exit(code)): Command {
  const program = new Command();
  // Set before the sub-commands are added, which inherit it.
  program.exitOverride((err: CommanderError) => exit(err.exitCode === 0 ? 0 : EXIT_BAD_INPUT));
  program.name('nac').description('Neural Attentive Circuits on TensorFlow.js').showHelpAfterError();
  registerReferenceCheck(program);
  registerInfo(program);
  registerInit(program);
  registerTrain(program);
  registerEval(program);
  registerPredict(program);
  registerDemo(program);
  registerCircuit(program);
  registerPrune(program);
  registerAdapt(program);
  return program;
}
