#!/usr/bin/env python3
"""Godwit's lint (no database) against squawk on a directory of SQL migrations.

    bench/lint-vs-squawk.sh DIR     (runs both tools, then this script)

For the rules both tools have, each finding is placed at its statement (squawk points at the
action's line inside a statement; Godwit at the statement's first line) and the two sets are
compared. Known differences in what a rule means are adjudicated, each class named below, so the
reference is "what a careful reviewer would flag", not either tool's output:
- squawk's constraint-missing-not-valid on UNIQUE and PRIMARY KEY: NOT VALID does not exist for
  them (Godwit flags them as disallowed-unique-constraint, building an index under lock);
- squawk's require-concurrent-index-creation on a table created earlier in the same file: the
  table is empty and no one else can see it yet;
- squawk's adding-field-with-default for a constant default: PostgreSQL 11+ stores it in the
  catalog without touching a row;
- squawk's constraint-missing-not-valid on a table created earlier in the same file: it is
  empty, so validating it takes no time;
- Godwit's disallowed-unique-constraint on ADD PRIMARY KEY: it builds a unique index under a
  lock that blocks reads and writes, as UNIQUE does;
- Godwit's renaming-column on a table rename: Godwit's GW307 covers both renames;
- Godwit's constraint-missing-not-valid on ADD COLUMN … CHECK: the check is verified against
  every row as it is added.
Any other finding only Godwit makes counts against its precision; any only squawk makes
against its recall.
Info-level rules (require-lock-timeout, prefer-robust-stmts) are left out: Godwit sets a lock
timeout and runs files in a transaction itself, so it reports them as information with other
semantics.
Prints per rule counts, then precision and recall of Godwit against the adjudicated reference.
"""
import collections, json, os, re, sys

godwit_json, squawk_json = sys.argv[1], sys.argv[2]
root = os.getcwd() + "/"
norm = lambda f: f.replace(root, "")

starts = {}
def statement_starts(path):
    """First lines of the statements of a file (quotes, dollar quotes and comments skipped)."""
    if path in starts: return starts[path]
    text = open(path).read(); result = []; i = 0; line = 1; start = None; dollar = None; quote = None
    while i < len(text):
        c = text[i]
        if c == "\n": line += 1
        if dollar:
            if text.startswith(dollar, i): i += len(dollar); dollar = None; continue
            i += 1; continue
        if quote:
            if c == quote: quote = None
            i += 1; continue
        if text.startswith("--", i):
            j = text.find("\n", i); i = len(text) if j < 0 else j; continue
        if text.startswith("/*", i):
            j = text.find("*/", i); line += text[i:j].count("\n"); i = j + 2; continue
        if start is None and not c.isspace(): start = line
        m = re.match(r"\$[A-Za-z_]*\$", text[i:])
        if m: dollar = m.group(0); i += len(dollar); continue
        if c in "'\"": quote = c
        if c == ";": result.append((start, line)); start = None
        i += 1
    if start is not None: result.append((start, line))
    starts[path] = result
    return result

def statement_at(path, line):
    found = [s for s in statement_starts(path) if s[0] is not None and s[0] <= line]
    return found[-1] if found else (line, line)

def statement_text(path, first):
    span = next(s for s in statement_starts(path) if s[0] == first)
    return "\n".join(open(path).read().split("\n")[span[0] - 1:span[1]])

INFO = {"require-lock-timeout", "prefer-robust-stmts"}
G = collections.defaultdict(set); S = collections.defaultdict(set)
for f in json.load(open(godwit_json)):
    if f.get("position"): G[f["rule"]].add((norm(f["file"]), f["position"]["line"]))
for f in json.load(open(squawk_json)):
    path = norm(f["file"]); S[f["rule_name"]].add((path, statement_at(path, f["line"] + 1)[0]))

def created_earlier(path, first, table):
    text = open(path).read().split("\n")[:first - 1]
    return re.search(r"create\s+table\s+(if\s+not\s+exists\s+)?\"?%s\"?\s*\(" % re.escape(table), "\n".join(text), re.I) is not None

def altered_table(text):
    m = re.search(r"alter\s+table\s+(?:only\s+)?(?:if\s+exists\s+)?\"?([a-z_0-9.]+)\"?", text)
    return m.group(1).split(".")[-1] if m else None

def squawk_wrong(rule, path, first):
    text = statement_text(path, first).lower()
    if rule == "constraint-missing-not-valid" and altered_table(text) and created_earlier(path, first, altered_table(text)):
        return True
    if rule == "constraint-missing-not-valid" and re.search(r"\b(unique|primary\s+key)\b", text) and "foreign key" not in text and "check" not in text:
        return True
    if rule == "require-concurrent-index-creation":
        m = re.search(r"\bon\s+(?:only\s+)?\"?([a-z_0-9.]+)\"?", text)
        if m and created_earlier(path, first, m.group(1).split(".")[-1]): return True
    if rule == "adding-field-with-default":
        m = re.search(r"default\s+(.+?)(?:,|;|$|\s+not\s+null)", text)
        if m and re.fullmatch(r"('.*'|-?\d+(\.\d+)?|true|false|null)(::[a-z ]+)?", m.group(1).strip()): return True
    return False

def godwit_right(rule, path, first):
    """Godwit's findings squawk lacks, in the classes reviewed as right (others count as wrong)."""
    text = statement_text(path, first).lower()
    if rule == "disallowed-unique-constraint" and re.search(r"primary\s+key", text): return True
    if rule == "renaming-column" and re.search(r"rename\s+to", text): return True
    if rule == "constraint-missing-not-valid" and "add column" in text and "check" in text: return True
    return False

shared = sorted((set(G) & set(S)) - INFO)
tp = fp = fn = 0
print(f"{'rule':38s} {'godwit':>6s} {'squawk':>6s} {'both':>5s} {'squawk wrong':>12s} {'missed':>6s} {'wrong':>5s}")
for rule in shared:
    g, s = G[rule], S[rule]
    wrong = {x for x in s - g if squawk_wrong(rule, *x)}
    extra = {x for x in g - s if not godwit_right(rule, *x)}
    reference = (g - extra) | (s - wrong)
    missed = reference - g
    tp += len(g & reference); fp += len(extra); fn += len(missed)
    print(f"{rule:38s} {len(g):6d} {len(s):6d} {len(g & s):5d} {len(wrong):12d} {len(missed):6d} {len(extra):5d}")
    for m in sorted(missed)[:3]: print("    missed:", m)
    for m in sorted(extra)[:3]: print("    wrong:", m)
print(f"Godwit against the adjudicated reference: precision {tp / (tp + fp):.3f}, recall {tp / (tp + fn):.3f} ({tp} of {tp + fn})")
print("squawk rules Godwit has no rule for:", ", ".join(sorted(set(S) - set(G) - INFO)))
