/**
 * Shared types of the WAF engine (gateway/waf): the SecLang rule model the parser builds,
 * and the contracts of transformations and operators, each one file in its folder plus one
 * line in its alphabetical registry (see transformations/index.ts, operators/index.ts).
 *
 * Values are BYTE STRINGS: a JS string whose every char code is one byte (0-255), made with
 * `buffer.toString('latin1')`. ModSecurity works on bytes, and so do we: a transformation
 * that decodes UTF-8 or %uXXXX writes bytes, and regular expressions run over bytes, exactly
 * as PCRE without UTF mode does in ModSecurity v3.
 */

/** Where a directive came from, for load errors (`file:line`). */
export interface SourceLocation {
  file: string;
  line: number;
}

/** A SecLang directive as parsed, before it is compiled against the registries. */
export interface Directive {
  name: string;
  /** Arguments as written, quotes removed and escapes (`\"`) resolved. */
  args: string[];
  location: SourceLocation;
}

/** One target of a rule: `ARGS`, `ARGS:id`, `!ARGS:foo`, `&TX:x`, `REQUEST_HEADERS:/^x-/`. */
export interface VariableSelector {
  /** Collection or variable name, upper case as CRS writes it (e.g. `ARGS`, `REQUEST_HEADERS`, `TX`). */
  collection: string;
  /** Member key; absent means the whole collection. */
  key?: string;
  /** `key` is a regular expression (`/.../` in SecLang). */
  keyIsRegex?: boolean;
  /** `&` prefix: the count of matching members. */
  count?: boolean;
  /** `!` prefix: remove these members from the rule's targets. */
  exclude?: boolean;
}

export interface OperatorSpec {
  /** Name without `@` (`rx`, `pm`, `detectSQLi`); a rule with no `@name` uses `rx`. */
  name: string;
  /** The parameter as written (macros such as `%{tx.x}` not yet expanded). */
  param: string;
  /** `!@rx ...` */
  negated: boolean;
}

/** One action as written: `id:942100`, `t:lowercase`, `setvar:'tx.score=+%{tx.critical_anomaly_score}'`, `deny`. */
export interface ActionSpec {
  name: string;
  /** The argument after `:`, quotes removed; absent for flag actions such as `deny`, `chain`. */
  param?: string;
}

export interface RuleSpec {
  /** `SecRule`, `SecAction` or `SecMarker`. */
  kind: 'rule' | 'action' | 'marker';
  variables: VariableSelector[];
  operator: OperatorSpec | null;
  actions: ActionSpec[];
  location: SourceLocation;
  /** The next rule of a chain (the rule carries the `chain` action). */
  chained?: RuleSpec;
  /** SecMarker only: the label that `skipAfter` jumps to. */
  marker?: string;
}

/** A transformation: byte string in, byte string out. Pure; never throws on any input. */
export type Transformation = (input: string) => string;

/** What a transaction offers operators (macro expansion, capture). */
export interface OperatorContext {
  /** Expands `%{tx.foo}`-style macros in a parameter at match time. */
  expand(text: string): string;
  /** When the rule has `capture`: stores TX:0..9 (0 = whole match). */
  capture: boolean;
  setCapture(index: number, value: string): void;
}

/** A compiled operator: true when the value matches (before `!` negation). */
export type OperatorMatcher = (value: string, context: OperatorContext) => boolean;

export interface OperatorDefinition {
  /**
   * Compiles the parameter once at load time. Throws a `WafLoadError`-style Error with a
   * clear message when the parameter is invalid (bad regex, missing data file).
   * `resolveFile` reads a data file relative to the rule file (`@pmFromFile`), as latin1.
   */
  compile(param: string, options: { resolveFile(path: string): string }): OperatorMatcher;
  /**
   * Literals (ASCII case folded) one of which every value the operator accepts contains, or null
   * when it cannot say. The engine skips the operator on values that hold none of them
   * (regex/literal-index.ts), so a wrong answer here is a missed detection: answer null when unsure.
   * `resolveFile` as for `compile` (`@pmFromFile`'s phrases are its literals).
   */
  requiredLiterals?(param: string, options: { resolveFile(path: string): string }): readonly string[] | null;
}
