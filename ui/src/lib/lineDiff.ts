// A line diff of two texts, for showing what changed on disk under an open editor. Pure.
//
// The common head and tail are matched first (an edit usually touches a few lines in the
// middle), then the rest by longest common subsequence. Past `MAX_CELLS` of that table the
// middle is shown as removed then added, which stays correct, only coarser.

export interface TextDiffLine {
  /** ` ` unchanged, `-` only in the first text, `+` only in the second. */
  kind: ' ' | '-' | '+';
  text: string;
}

const MAX_CELLS = 4_000_000;

function lines(text: string): string[] {
  if (text === '') return [];
  const out = text.split('\n');
  // A final newline ends the last line; it does not start an empty one.
  if (out[out.length - 1] === '') out.pop();
  return out;
}

export function lineDiff(before: string, after: string): TextDiffLine[] {
  const a = lines(before);
  const b = lines(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const out: TextDiffLine[] = a.slice(0, head).map((text) => ({ kind: ' ', text }));
  if (x.length * y.length > MAX_CELLS) {
    out.push(...x.map((text) => ({ kind: '-' as const, text })), ...y.map((text) => ({ kind: '+' as const, text })));
  } else {
    // lcs[i][j]: the longest common subsequence of x[i..] and y[j..].
    const w = y.length + 1;
    const lcs = new Uint32Array((x.length + 1) * w);
    for (let i = x.length - 1; i >= 0; i--) {
      for (let j = y.length - 1; j >= 0; j--) {
        lcs[i * w + j] = x[i] === y[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < x.length || j < y.length) {
      if (i < x.length && j < y.length && x[i] === y[j]) {
        out.push({ kind: ' ', text: x[i]! });
        i++;
        j++;
      } else if (i < x.length && (j === y.length || lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!)) {
        out.push({ kind: '-', text: x[i]! });
        i++;
      } else {
        out.push({ kind: '+', text: y[j]! });
        j++;
      }
    }
  }
  out.push(...a.slice(a.length - tail).map((text) => ({ kind: ' ' as const, text })));
  return out;
}

/** A row of a diff shown with context: a line, or a run of unchanged lines left out. */
export type DiffRow = TextDiffLine | { kind: 'skip'; count: number };

/** The changed lines with `context` unchanged lines around each change; the rest folded. */
export function withContext(diff: readonly TextDiffLine[], context = 2): DiffRow[] {
  const near = diff.map(() => false);
  diff.forEach((l, i) => {
    if (l.kind === ' ') return;
    for (let j = Math.max(0, i - context); j <= Math.min(diff.length - 1, i + context); j++) near[j] = true;
  });
  const out: DiffRow[] = [];
  diff.forEach((l, i) => {
    if (near[i]) {
      out.push(l);
      return;
    }
    const last = out[out.length - 1];
    if (last?.kind === 'skip') last.count++;
    else out.push({ kind: 'skip', count: 1 });
  });
  return out;
}

/** Lines added and removed. */
export function changeCounts(diff: readonly TextDiffLine[]): { added: number; removed: number } {
  return {
    added: diff.filter((l) => l.kind === '+').length,
    removed: diff.filter((l) => l.kind === '-').length,
  };
}
