#!/usr/bin/env python3
"""An interactive SMT-LIB 2 front end over the cvc5 Python API (PyPI `cvc5`).

Debian 12's `cvc5` binary is 1.0.3, which rejects `bvnego`; cedar-policy-symcc emits it for
any unary minus on a Long. PyPI ships cvc5 1.4.x only as Python bindings, so this script
reads SMT-LIB commands on stdin and answers on stdout as the `cvc5 --lang smt` binary does:
one command at a time, output flushed after each, errors as `(error "...")`.

Arguments as the cvc5 binary takes them: `--lang smt` (the only language), `--version`,
and `--NAME=VALUE` / `--NAME` for any cvc5 option (e.g. `--tlimit-per=2000`).
"""
import sys

import cvc5


def options(argv):
    out = []
    args = iter(argv)
    for a in args:
        if a == "--lang":
            lang = next(args, "")
            if lang not in ("smt", "smt2", "smtlib2.6", "smt2.6"):
                sys.exit(f"cvc5-smt: only SMT-LIB input is supported, not `{lang}`")
        elif a.startswith("--lang="):
            pass
        elif a.startswith("--"):
            name, _, value = a[2:].partition("=")
            out.append((name, value or "true"))
        else:
            sys.exit(f"cvc5-smt: unexpected argument `{a}` (input is read from stdin)")
    return out


def commands(stream):
    """Complete top-level s-expressions from `stream`, in order (strings, quoted symbols
    and comments may hold parentheses)."""
    buf, depth, in_str, in_sym = [], 0, False, False
    for line in stream:
        i = 0
        while i < len(line):
            c = line[i]
            if in_str:
                if c == '"':
                    if i + 1 < len(line) and line[i + 1] == '"':
                        buf.append(c)
                        i += 1
                    else:
                        in_str = False
            elif in_sym:
                if c == "|":
                    in_sym = False
            elif c == ";":
                break
            elif c == '"':
                in_str = True
            elif c == "|":
                in_sym = True
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    buf.append(c)
                    yield "".join(buf)
                    buf = []
                    i += 1
                    continue
            if depth > 0 or in_str or in_sym:
                buf.append(c)
            i += 1
        if depth > 0 or in_str or in_sym:
            buf.append("\n")


def run(solver, sm, parser, text):
    """Runs one command and returns what it printed. The input is set afresh for each
    command (the symbol manager keeps the declarations): after some commands, such as
    `set-option`, cvc5 1.4.2's parser refuses more incremental input."""
    parser.setIncrementalStringInput(cvc5.InputLanguage.SMT_LIB_2_6, "stdin")
    parser.appendIncrementalStringInput(text + "\n")
    printed = []
    while True:
        cmd = parser.nextCommand()
        if cmd.isNull():
            return "".join(printed)
        printed.append(cmd.invoke(solver, sm))


def main():
    if "--version" in sys.argv[1:]:
        print(f"This is cvc5 version {cvc5.__version__} (Python bindings, SMT-LIB front end)")
        return
    opts = options(sys.argv[1:])
    tm = cvc5.TermManager()

    def fresh():
        solver = cvc5.Solver(tm)
        sm = cvc5.SymbolManager(tm)
        parser = cvc5.InputParser(solver, sm)
        for name, value in opts:
            run(solver, sm, parser, f"(set-option :{name} {value})")
        return solver, sm, parser

    out = sys.stdout
    solver, sm, parser = fresh()
    for text in commands(sys.stdin):
        stripped = text.strip()
        if stripped.replace(" ", "") == "(exit)":
            break
        if stripped.replace(" ", "") == "(reset)":
            # A fresh solver: options set on the command line survive, as in the binary.
            solver, sm, parser = fresh()
            continue
        try:
            result = run(solver, sm, parser, text)
            if result:
                out.write(result if result.endswith("\n") else result + "\n")
        except Exception as e:  # cvc5 raises RuntimeError for parse and solver errors
            msg = str(e).replace("\\", "\\\\").replace('"', '""')
            out.write(f'(error "{msg}")\n')
        out.flush()


if __name__ == "__main__":
    main()
