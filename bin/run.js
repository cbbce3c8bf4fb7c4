#!/usr/bin/env node
import { execute } from '@oclif/core';
import { endAfterCommand } from '../dist/util/late-exit.js';

await execute({ dir: import.meta.url });
// (a user strategy module's pending timer would keep the process on after the command)
endAfterCommand();
