// Copies the built-in playbooks (YAML, which tsc does not emit) next to their compiled loader in dist.
import { cpSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const from = fileURLToPath(import.meta.resolve('../src/response/playbooks/builtin/'));
const to = fileURLToPath(import.meta.resolve('../dist/src/response/playbooks/builtin/'));
mkdirSync(to, { recursive: true });
cpSync(from, to, { recursive: true, filter: (path) => !/\.(ts|js)$/.test(path) });
