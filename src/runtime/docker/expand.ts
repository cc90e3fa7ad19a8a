// Kubernetes' `$(VAR)` expansion, as it applies to env values, command and args:
// `$(NAME)` becomes the variable's value when it is defined and stays as written
// otherwise; `$$` is an escaped `$`; any other `$` is kept.

export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      i++;
      continue;
    }
    const next = input[i + 1]!;
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        // No closing paren: `$(` is literal and the rest is read as usual.
        out += '$(';
        i += 2;
        continue;
      }
      const name = input.slice(i + 2, close);
      const value = lookup(name);
      out += value ?? `$(${name})`;
      i = close + 1;
    } else {
      out += `$${next}`;
      i += 2;
    }
  }
  return out;
}

/** A lookup over `NAME=value` pairs, the last definition of a name winning. */
export function envLookup(
  env: readonly (readonly [string, string])[],
): (name: string) => string | undefined {
  const map = new Map(env);
  return (name) => map.get(name);
}
