#!/usr/bin/env node
/**
 * The `nac` command line: one sub-command per file in this folder.
 */
import { Command } from 'commander';
import { registerReferenceCheck } from './reference-check.js';
import { registerInfo } from './info.js';
import { registerInit } from './init.js';

const program = new Command();
program.name('nac').description('Neural Attentive Circuits on TensorFlow.js').showHelpAfterError();
registerReferenceCheck(program);
registerInfo(program);
registerInit(program);
await program.parseAsync(process.argv);
