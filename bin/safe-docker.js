#!/usr/bin/env node
import { exitWhenFlushed, main } from '../dist/cli.js';

await exitWhenFlushed(await main(process.argv.slice(2)));
