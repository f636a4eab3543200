/**
 * ModSecurity's recommended base rules (gateway/waf/base): the request-body checks of
 * `modsecurity.conf-recommended` (ids 200002-200007) that the OWASP CRS leaves to the engine's
 * configuration. The default setup (src/server/waf.ts, `waf.baseRules`, on by default) writes
 * this text to `<dataDir>/waf/modsecurity-recommended.conf` and loads it before the CRS, as
 * nginx + ModSecurity loads modsecurity.conf before the CRS. A TypeScript string rather than a
 * .conf asset because the build (tsc) copies no other files to dist.
 *
 * Rules 200000, 200001 and 200006 of the recommended file (JSON and XML body processors picked
 * by Content-Type) are not here: the engine does the same by default
 * (`WafEngineOptions.detectJsonAndXmlBodies`). 200005 fires on `TX:MSC_*` flags, which only
 * ModSecurity's own PCRE limits set; our regex engine has no such limits, so it fires only when
 * a rule of the user sets one.
 */

/** The rule ids this file defines, in order. */
export const RECOMMENDED_RULE_IDS = [200007, 200002, 200003, 200004, 200005] as const;

/** File name the default setup writes the rules to, in `<dataDir>/waf/`. */
export const RECOMMENDED_RULES_FILE = 'modsecurity-recommended.conf';

export const RECOMMENDED_RULES = `# ModSecurity's recommended base rules (modsecurity.conf-recommended, ids 200002-200007),
# written by Ensuresec (waf.baseRules); do not edit: turn them off with waf.baseRules: false and
# load your own version with waf.rules instead.
#
# JSON and XML request bodies are parsed by Content-Type by the engine itself (the recommended
# rules 200000, 200001 and 200006).

# More arguments than SecArgumentsLimit (1000 by default): the rest would go uninspected.
SecRule &ARGS "@ge 1000" \\
    "id:200007,phase:2,t:none,log,deny,status:400,severity:2,\\
    msg:'Failed to fully parse request body due to large argument count'"

# A body its processor could not parse (malformed JSON, XML or multipart, too many arguments):
# its content was not inspected.
SecRule REQBODY_ERROR "!@eq 0" \\
    "id:200002,phase:2,t:none,log,deny,status:400,severity:2,\\
    msg:'Failed to parse request body.',logdata:'%{reqbody_error_msg}'"

# A multipart body that fails strict validation: what an evasion of the multipart parser looks like.
SecRule MULTIPART_STRICT_ERROR "!@eq 0" \\
    "id:200003,phase:2,t:none,log,deny,status:400,\\
    msg:'Multipart request body failed strict validation: \\
    BQ %{MULTIPART_BOUNDARY_QUOTED}, \\
    BW %{MULTIPART_BOUNDARY_WHITESPACE}, \\
    DB %{MULTIPART_DATA_BEFORE}, \\
    DA %{MULTIPART_DATA_AFTER}, \\
    HF %{MULTIPART_HEADER_FOLDING}, \\
    LF %{MULTIPART_LF_LINE}, \\
    SM %{MULTIPART_MISSING_SEMICOLON}, \\
    IQ %{MULTIPART_INVALID_QUOTING}, \\
    IP %{MULTIPART_INVALID_PART}, \\
    IH %{MULTIPART_INVALID_HEADER_FOLDING}, \\
    FL %{MULTIPART_FILE_LIMIT_EXCEEDED}'"

# A line inside a part that looks like a boundary but is not this body's.
SecRule MULTIPART_UNMATCHED_BOUNDARY "@eq 1" \\
    "id:200004,phase:2,t:none,log,deny,\\
    msg:'Multipart parser detected a possible unmatched boundary.'"

# An internal error flagged by the engine (ModSecurity: TX:MSC_PCRE_LIMITS_EXCEEDED, ...).
SecRule TX:/^MSC_/ "!@streq 0" \\
    "id:200005,phase:2,t:none,deny,\\
    msg:'ModSecurity internal error flagged: %{MATCHED_VAR_NAME}'"
`;
