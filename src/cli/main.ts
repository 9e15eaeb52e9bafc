#!/usr/bin/env node
/**
 * The `nac` command line (the command tree is in ./program.ts).
 */
import { nacProgram } from './program.js';

await nacProgram().parseAsync(process.argv);
