/**
 * The last few distinct values an entity was seen with (detect, built-in detectors), such as
 * an account's known devices and networks: a short list, most recent last, bounded by `max`.
 */

/**
 * Moves `value` to the end of `list` (adding it if new) and drops the oldest beyond `max`.
 *
 * @example
 * const devices = ['a', 'b'];
 * rememberRecent(devices, 'a', 2); // devices is now ['b', 'a']
 */
export function rememberRecent(list: string[], value: string | undefined, max: number): void {
  if (value === undefined) return;
  const at = list.indexOf(value);
  if (at >= 0) list.splice(at, 1);
  list.push(value);
  if (list.length > max) list.shift();
}
