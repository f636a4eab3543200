#!/usr/bin/env -S node --max-semi-space-size=2
/**
 * Entry point of the `ensuresec` binary. The launcher line gives V8 2 MB semi-spaces (its
 * default grows them to 16 MB): the gateway's thread then peaks about 25 MB lower under load
 * (bench:waf, docs/waf.md), for about 10 % less form-POST throughput. A V8 setting only a
 * process's start can make; `node --max-semi-space-size=16 dist/src/cli/main.js ...` keeps
 * V8's default. The WAF's worker threads have their own limit (src/gateway/waf/pool/pool.ts).
 */
import { buildProgram } from './program.js';

await buildProgram().parseAsync(process.argv);
