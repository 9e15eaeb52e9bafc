#!/usr/bin/env node
/**
 * The `nac` command line: one sub-command per file in this folder.
 */
import { Command } from 'commander';
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

const program = new Command();
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
await program.parseAsync(process.argv);
