#!/usr/bin/env node
'use strict';
const { exitWhenFlushed, main } = require('../dist/cli.cjs');

main(process.argv.slice(2)).then(exitWhenFlushed);
