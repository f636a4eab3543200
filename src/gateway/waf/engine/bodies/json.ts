/**
 * JSON request-body processor (gateway/waf/engine/bodies): flattens a JSON document into ARGS
 * named as ModSecurity v3 names them: the top level is `json`, object members append
 * `.key`, array elements `.array_N` after the array's key — `{"a":{"b":1},"c":[true]}` gives
 * `json.a.b=1` and `json.c.array_0=true` (null is empty, booleans are `true`/`false`).
 * Values stay byte strings: the body is parsed as latin1 so UTF-8 bytes pass through.
 */
import type { BodyResult } from './types.js';

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

interface Container {
  name: string;
  isArray: boolean;
  counter: number;
}

/** A `\uXXXX` escape above 0xFF becomes its UTF-8 bytes, as yajl writes it. */
function toBytes(text: string): string {
  let wide = false;
  for (let index = 0; index < text.length && !wide; index++) wide = text.charCodeAt(index) > 0xff;
  if (!wide) return text;
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    out += code <= 0xff ? char : Buffer.from(char, 'utf8').toString('latin1');
  }
  return out;
}

export function processJson(body: string, maxDepth: number): BodyResult {
  const args: Array<[string, string]> = [];
  let document: JsonValue;
  try {
    document = JSON.parse(body) as JsonValue;
  } catch (error) {
    return { args, error: `JSON parsing error: ${(error as Error).message}` };
  }
  const containers: Container[] = [];
  let currentKey = '';
  const keyName = (): string => (containers.length === 0 ? 'json' : currentKey);
  const addArgument = (value: string): void => {
    let path = '';
    for (const container of containers) {
      path += container.name + (container.isArray ? `.array_${container.counter}` : '.');
    }
    const last = containers[containers.length - 1];
    let data = '';
    if (last?.isArray) last.counter++;
    else data = keyName();
    args.push([toBytes(path + data), toBytes(value)]);
  };
  const endContainer = (): void => {
    containers.pop();
    const parent = containers[containers.length - 1];
    if (parent?.isArray) parent.counter++;
  };
  const walk = (value: JsonValue): string | undefined => {
    if (containers.length > maxDepth) return `JSON depth limit ${maxDepth} exceeded`;
    if (value === null) addArgument('');
    else if (typeof value === 'boolean') addArgument(value ? 'true' : 'false');
    else if (typeof value === 'number') addArgument(String(value));
    else if (typeof value === 'string') addArgument(value);
    else if (Array.isArray(value)) {
      containers.push({ name: keyName(), isArray: true, counter: 0 });
      for (const item of value) {
        const error = walk(item);
        if (error) return error;
      }
      endContainer();
    } else {
      containers.push({ name: keyName(), isArray: false, counter: 0 });
      for (const [key, item] of Object.entries(value)) {
        currentKey = key;
        const error = walk(item);
        if (error) return error;
      }
      endContainer();
    }
    return undefined;
  };
  const error = walk(document);
  return error ? { args, error } : { args };
}
