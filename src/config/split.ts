// Finds the top-level entries of a config (one per log group, and settings) without parsing it, so
// that load.ts can parse them one at a time: the yaml package holds a whole document's syntax tree
// until it is composed, and for 10,000 groups (3.5 MB) V8 spent more time collecting that garbage
// than the parser spent parsing. One group at a time, the trees die young: half the time.
// Conservative: anything this scanner is not sure of (anchors, directives, a document marker, a
// top-level sequence, unbalanced brackets) gives null, and load.ts parses the whole document as
// before. load.ts also checks each piece parses cleanly to a single key, or falls back.

/** One top-level entry: text[start, end). `wrap`: a flow-map entry, to be parsed inside `{` `}`. */
export interface Piece {
  start: number;
  end: number;
  wrap: boolean;
}

/** The top-level entries of `text`, or null when they cannot be told apart safely. */
export function splitTopLevel(text: string): Piece[] | null {
  const first = skipBlank(text, 0);
  if (first >= text.length) return null;
  return text[first] === '{' ? splitFlow(text, first) : splitBlock(text, first);
}

/** Skips whitespace and comments; returns the index of the first other character. */
function skipBlank(text: string, i: number): number {
  for (;;) {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r' || text[i] === '\ufeff')) i++;
    if (text[i] !== '#') return i;
    while (i < text.length && text[i] !== '\n') i++;
  }
}

/** `{ a: ..., b: ... }` (the original's style): split at the commas of depth 1. */
function splitFlow(text: string, open: number): Piece[] | null {
  const out: Piece[] = [];
  let depth = 0;
  let start = open + 1;
  let last = '';           // the last significant character: does a quote open a quoted scalar?
  const push = (end: number) => {
    if (skipBlank(text, start) < end) out.push({ start, end, wrap: true });
  };
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') continue;
    if (c === '#' && /[ \t\n\r]/.test(text[i - 1] ?? '\n')) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    const scalarStart = last === '' || '{[,:'.includes(last);
    if ((c === '"' || c === "'") && scalarStart) {
      i = c === '"' ? endDouble(text, i) : endSingle(text, i);
      if (i < 0) return null;
      last = c;
      continue;
    }
    if ((c === '&' || c === '*' || c === '!') && scalarStart) return null; // anchors, aliases, tags: whole document
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) {
        if (c !== '}') return null;
        push(i);
        return skipBlank(text, i + 1) === text.length ? out : null;
      }
    } else if (c === ',' && depth === 1) {
      push(i);
      start = i + 1;
    }
    last = c;
  }
  return null;
}

function endDouble(text: string, i: number): number {
  for (i++; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

function endSingle(text: string, i: number): number {
  for (i++; i < text.length; i++) {
    if (text[i] !== "'") continue;
    if (text[i + 1] === "'") i++;
    else return i;
  }
  return -1;
}

/** Block style: an entry starts at each line that begins in column 0 with a plain key. */
function splitBlock(text: string, first: number): Piece[] | null {
  if (first > 0 && text[first - 1] !== '\n') return null; // an indented top level
  const out: Piece[] = [];
  let start = -1;
  for (let i = first; i < text.length; i = text.indexOf('\n', i) + 1 || text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '#') continue;
    if (!/[A-Za-z0-9_.\/"-]/.test(c) || text.startsWith('---', i) || (c === '-' && text[i + 1] === ' ')) return null;
    if (start >= 0) out.push({ start, end: i, wrap: false });
    start = i;
  }
  if (start >= 0) out.push({ start, end: text.length, wrap: false });
  return out.length ? out : null;
}
