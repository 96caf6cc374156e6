// Cedar syntax for CodeMirror as a `StreamLanguage` mode: a line-by-line tokenizer whose
// token names are highlight tags (`keyword`, `typeName`, `variableName.special`, …).
import { StringStream, type StreamParser } from '@codemirror/language';

export interface CedarState {
  /** Inside a string that continues on the next line. */
  inString: boolean;
  /** The previous token was `.`, so an identifier is an attribute. */
  afterDot: boolean;
}

export const KEYWORDS = new Set(['permit', 'forbid', 'when', 'unless', 'in', 'is', 'has', 'like', 'if', 'then', 'else']);
export const VARIABLES = new Set(['principal', 'action', 'resource', 'context']);

function readString(stream: StringStream, state: CedarState): string {
  let escaped = false;
  let ch: string | void;
  while ((ch = stream.next()) !== undefined) {
    if (ch === '"' && !escaped) {
      state.inString = false;
      return 'string';
    }
    escaped = !escaped && ch === '\\';
  }
  state.inString = true;
  return 'string';
}

export const cedarMode: StreamParser<CedarState> = {
  name: 'cedar',
  startState: () => ({ inString: false, afterDot: false }),
  copyState: (s) => ({ ...s }),
  token(stream, state) {
    if (state.inString) return readString(stream, state);
    if (stream.eatSpace()) return null;
    const afterDot = state.afterDot;
    state.afterDot = false;
    if (stream.match('//')) {
      stream.skipToEnd();
      return 'comment';
    }
    const ch = stream.peek();
    if (ch === '"') {
      stream.next();
      return readString(stream, state);
    }
    if (ch === '@') {
      stream.next();
      stream.match(/^[A-Za-z_]\w*/);
      return 'meta';
    }
    if (stream.match(/^\d+/)) return 'number';
    if (afterDot && stream.match(/^[A-Za-z_]\w*/)) return 'propertyName';
    // An entity type path (`Acme::Agent`) or an entity reference's type (`Acme::Action::"x"`).
    if (stream.match(/^[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*(?=::")/) || stream.match(/^[A-Za-z_]\w*(?:::[A-Za-z_]\w*)+/)) {
      return 'typeName';
    }
    const word = stream.match(/^[A-Za-z_]\w*/) as RegExpMatchArray | null;
    if (word) {
      const w = word[0];
      if (w === 'true' || w === 'false') return 'bool';
      if (KEYWORDS.has(w)) return 'keyword';
      if (VARIABLES.has(w)) return 'variableName.special';
      // `Agent` alone before `::` is handled above; a capitalised word is a type (`is Agent`).
      return /^[A-Z]/.test(w) ? 'typeName' : 'variableName';
    }
    if (stream.match('::')) return 'punctuation';
    if (stream.match(/^(?:==|!=|<=|>=|&&|\|\||[<>!+\-*])/)) return 'operator';
    if (stream.eat('.')) {
      state.afterDot = true;
      return 'punctuation';
    }
    stream.next();
    return /[()[\]{},;]/.test(ch ?? '') ? 'punctuation' : null;
  },
  languageData: { commentTokens: { line: '//' } },
};

/** Tokenizes `text` with `cedarMode`: `[text, style]` pairs, whitespace omitted. For tests and tooling. */
export function tokenize(text: string): [string, string | null][] {
  const state = cedarMode.startState!(2);
  const out: [string, string | null][] = [];
  for (const line of text.split('\n')) {
    const stream = new StringStream(line, 2, 2);
    while (!stream.eol()) {
      const style = cedarMode.token(stream, state);
      const tok = line.slice(stream.start, stream.pos);
      if (tok.trim() !== '') out.push([tok, style]);
      stream.start = stream.pos;
    }
  }
  return out;
}
