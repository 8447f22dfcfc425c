#!/usr/bin/env -S node --
// `--`: Node 20 reads --env-file anywhere in its argv up to a `--` (so `docker run --env-file x` would be Node's).
'use strict';
const { exitWhenFlushed, main } = require('../dist/cli.cjs');

main(process.argv.slice(2)).then(exitWhenFlushed);
