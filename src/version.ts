// The tool's version, from package.json (one source of truth for --version and the report).
import { readFileSync } from 'node:fs';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The built-in rules folder that ships beside dist/ and src/. */
export const BUILTIN_RULES = new URL('../rules/', import.meta.url);
