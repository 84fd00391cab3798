#!/usr/bin/env python3
"""Differential check of json.c against Python's json module.

Builds build/jsontool from tests/jsontool.c and json.c with cc, feeds
it the seed corpora (tests/corpus/json*/), a list of hand-written cases
and a few thousand generated documents (valid ones and mutations of
them), and compares with Python:

- validity: json.c accepts a document iff Python does, once Python's
  leniencies are accounted for: Python accepts NaN/Infinity (refused
  here through parse_constant), lone surrogate escapes (a decoded string
  holding U+D800..U+DFFF counts as invalid) and any depth (over
  JSON_MAX_DEPTH = 64 counts as invalid);
- compact: the output parses to the same value, and equals an
  independent whitespace stripper written here;
- unescape: a top-level string decodes to Python's string, in UTF-8;
- fields: each member json_fields reports holds the value of the first
  member of that name, and every top-level name is reported.

Prints PASS/FAIL lines; exits non-zero on failure.
"""
import glob
import json
import os
import random
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX_DEPTH = 64
TOOL_KEYS = 16
failed = False


def report(name, problems, count):
    global failed
    if problems:
        failed = True
        print('FAIL json_diff/%s: %d of %d differ, e.g. %s' % (
            name, len(problems), count, '; '.join(problems[:4])))
    else:
        print('PASS json_diff/%s (%d documents)' % (name, count))


class Refused(Exception):
    pass


def refuse_constant(name):
    raise Refused(name)


def pairs(items):
    return ('obj', tuple(items))


def depth(v):
    if isinstance(v, tuple) and len(v) == 2 and v[0] == 'obj':
        return 1 + max([depth(x) for _, x in v[1]] or [0])
    if isinstance(v, list):
        return 1 + max([depth(x) for x in v] or [0])
    return 0


def has_surrogate(v):
    if isinstance(v, str):
        return any(0xD800 <= ord(ch) <= 0xDFFF for ch in v)
    if isinstance(v, tuple) and len(v) == 2 and v[0] == 'obj':
        return any(has_surrogate(k) or has_surrogate(x) for k, x in v[1])
    if isinstance(v, list):
        return any(has_surrogate(x) for x in v)
    return False


def py_parse(b):
    """(valid, value, why): Python's verdict made as strict as json.c."""
    try:
        s = b.decode('utf-8')
        v = json.loads(s, parse_constant=refuse_constant,
                       object_pairs_hook=pairs)
    except Refused:
        return False, None, 'nan'
    except RecursionError:
        return False, None, 'deep'
    except (ValueError, UnicodeDecodeError):
        return False, None, None
    if has_surrogate(v):
        return False, None, 'surrogate'
    if depth(v) > MAX_DEPTH:
        return False, None, 'deep'
    return True, v, None


def strip_ws(b):
    """Whitespace outside strings removed, written independently."""
    out = bytearray()
    in_str = esc = False
    for c in b:
        if in_str:
            out.append(c)
            if esc:
                esc = False
            elif c == 0x5C:
                esc = True
            elif c == 0x22:
                in_str = False
        elif c in b' \t\n\r':
            continue
        else:
            out.append(c)
            if c == 0x22:
                in_str = True
    return bytes(out)


# Hand-written cases in the manner of JSONTestSuite (y_ valid, n_ not,
# i_ where Python and RFC 8259 readers differ).
CASES = [
    b'[]', b'{}', b'[[]]', b'""', b'"\\u0000"', b'[0]', b'-0', b'0e1',
    b'[1E22]', b'[1e-400]', b'[-123456789012345678901234567890]',
    b'{"a":"b","a":"c"}', b'{"":0}', b' [1 , 2 ] ', b'"\\ud83d\\ude00"',
    b'"\\uDBFF\\uDFFF"', b'"\xf4\x8f\xbf\xbf"', b'"\xe2\x82\xac"',
    b'"\\/\\\\\\"\\b\\f\\n\\r\\t"', b'"\x7f"', b'"\\u001F"', b'true',
    b'[01]', b'[1.]', b'[.1]', b'[+1]', b'[1e]', b'[0x1]', b'[- 1]',
    b'[1,]', b'{"a":1,}', b'[,]', b'{"a" 1}', b'{a:1}', b"['a']",
    b'[NaN]', b'[Infinity]', b'[-Infinity]', b'NaN', b'nan', b'[True]',
    b'"\\ud800"', b'"\\udc00"', b'"\\ud800\\ud800"', b'"\\udc00\\ud800"',
    b'{"\\ud800":1}', b'"\\ud800x"', b'"\\u00"', b'"\\u0G00"', b'"\\x41"',
    b'"\\U0041"', b'"\\u 123"', b'"\\u+123"', b'"\\u1_23"', b'"\\"',
    b'"\t"', b'"\n"', b'"\x00"', b'"\x1f"', b'"\xc0\xaf"', b'"\xed\xa0\x80"',
    b'"\xf4\x90\x80\x80"', b'"\xf8\x88\x80\x80\x80"', b'"\xc3"', b'"\x80"',
    b'\xef\xbb\xbf[]', b'[]\x00', b'\x0c[]', b'[\xc2\xa0]', b'', b' ',
    b'[1]]', b'[1] 1', b'{"a":1}}', b'[[[' * 22 + b']]]' * 22,
    b'[' * 64 + b']' * 64, b'[' * 65 + b']' * 65,
    b'{"a":' * 63 + b'{}' + b'}' * 63, b'{"a":' * 64 + b'{}' + b'}' * 64,
    b'[' * 2000 + b']' * 2000,
]

WS = [b'', b'', b'', b' ', b'\n', b'\t', b'\r\n', b'  ']
CHARS = (['a', 'b', 'Z', ' ', '0', '~', '/', '\x7f', '\u00e9', '\u20ac',
          '\u07ff', '\u0800', '\uffff', '\ufeff', '\U0001F600',
          '\U0010FFFF', '\u2028'] +
         ['\\"', '\\\\', '\\/', '\\b', '\\f', '\\n', '\\r', '\\t',
          '\\u0000', '\\u001f', '\\u00E9', '\\u20ac', '\\ud83d\\ude00',
          '\\uDBFF\\uDFFF', '\\uFFFF'])


def gen_string(r):
    return '"' + ''.join(r.choice(CHARS) for _ in range(r.randrange(0, 12))) + '"'


def gen_number(r):
    s = r.choice(['', '-'])
    s += r.choice(['0', str(r.randrange(1, 10)),
                   str(r.randrange(1, 10)) + str(r.randrange(0, 10 ** 12))])
    if r.random() < 0.4:
        s += '.' + str(r.randrange(0, 10 ** r.randrange(1, 8)))
    if r.random() < 0.3:
        s += r.choice('eE') + r.choice(['', '+', '-']) + str(r.randrange(0, 400))
    return s


def gen_value(r, d):
    k = r.random()
    w = lambda: r.choice(WS).decode()
    if d < 8 and k < 0.2:
        items = [gen_value(r, d + 1) for _ in range(r.randrange(0, 5))]
        return '[' + w() + (w() + ',' + w()).join(items) + w() + ']'
    if d < 8 and k < 0.4:
        items = ['%s%s:%s%s' % (gen_string(r) if r.random() < 0.8 else
                                r.choice(['"event"', '"content"', '"a"']),
                                w(), w(), gen_value(r, d + 1))
                 for _ in range(r.randrange(0, 5))]
        return '{' + w() + (w() + ',' + w()).join(items) + w() + '}'
    if k < 0.6:
        return gen_string(r)
    if k < 0.85:
        return gen_number(r)
    return r.choice(['true', 'false', 'null'])


MUTANT_BYTES = b',:[]{}"\\ 0123456789eE+-.tfnu\x00\x1f\x7f\x80\xbf\xc0\xc3\xed\xf4\xff'


def mutate(r, b):
    b = bytearray(b)
    for _ in range(r.randrange(1, 3)):
        op = r.randrange(5)
        i = r.randrange(len(b) + 1)
        if op == 0 and b:
            del b[min(i, len(b) - 1)]
        elif op == 1:
            b[i:i] = bytes([r.choice(MUTANT_BYTES)])
        elif op == 2 and b:
            b[min(i, len(b) - 1)] = r.randrange(256)
        elif op == 3:
            del b[i:]
        else:
            j = r.randrange(len(b) + 1)
            b[i:i] = b[min(i, j):max(i, j)][:16]
    return bytes(b)


def corpus():
    docs = list(CASES)
    for path in sorted(glob.glob(os.path.join(ROOT, 'tests', 'corpus', 'json', '*'))):
        with open(path, 'rb') as f:
            docs.append(f.read())
    for path in sorted(glob.glob(os.path.join(ROOT, 'tests', 'corpus', 'json_*', '*'))):
        with open(path, 'rb') as f:
            docs.append(b'"' + f.read() + b'"')
    r = random.Random(8259)
    for _ in range(3000):
        v = (r.choice(WS).decode() + gen_value(r, 0) + r.choice(WS).decode()).encode()
        docs.append(v)
        docs.append(mutate(r, v))
        if r.random() < 0.3:
            docs.append(mutate(r, mutate(r, v)))
    return docs


def main():
    os.chdir(ROOT)
    os.makedirs('build', exist_ok=True)
    tool = os.path.join('build', 'jsontool')
    cc = subprocess.run(['cc', '-std=c99', '-O1', '-Wall', '-Wextra', '-I.',
                         '-D_POSIX_C_SOURCE=200809L', '-o', tool,
                         'tests/jsontool.c', 'json.c'],
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if cc.returncode != 0:
        print('FAIL json_diff/build: ' + cc.stdout.decode(errors='replace')[:500])
        return 1
    print('PASS json_diff/build')
    docs = corpus()
    stdin = b''.join(b'%d\n' % len(d) + d for d in docs)
    p = subprocess.run([tool], input=stdin, stdout=subprocess.PIPE)
    lines = p.stdout.decode().splitlines()
    if p.returncode != 0 or len(lines) != len(docs):
        print('FAIL json_diff/tool: exit %d, %d lines for %d documents' % (
            p.returncode, len(lines), len(docs)))
        return 1

    bad_valid, bad_compact, bad_unesc, bad_fields = [], [], [], []
    n_valid = n_str = n_obj = 0
    expected = {'nan': 0, 'surrogate': 0, 'deep': 0}
    for d, line in zip(docs, lines):
        c, chex, u, uhex, fl = line.split(' ')
        c = int(c)
        ok, v, why = py_parse(d)
        if why:
            expected[why] += 1
        if (c >= 0) != ok:
            bad_valid.append('%r: json.c %d, Python %s' % (d[:60], c, ok))
            continue
        if not ok:
            continue
        n_valid += 1
        out = bytes.fromhex(chex) if chex != '-' else b''
        if out != strip_ws(d) or py_parse(out)[1] != v:
            bad_compact.append('%r -> %r' % (d[:60], out[:60]))
        if isinstance(v, str):
            n_str += 1
            got = bytes.fromhex(uhex) if uhex != '-' else b''
            if int(u) != len(got) or got != v.encode('utf-8'):
                bad_unesc.append('%r -> %r' % (d[:60], got[:60]))
        if isinstance(v, tuple):
            n_obj += 1
            first = {}
            for k, x in v[1]:
                if k not in first and '\0' not in k:
                    first[k] = x
            want = list(first)[:TOOL_KEYS]
            got = {}
            if fl != '-':
                for item in fl.split(','):
                    kh, t, s, e = item.split(':')
                    got[bytes.fromhex(kh).decode() if kh != '-' else ''] = (
                        int(t), int(s), int(e))
            if sorted(got) != sorted(want):
                bad_fields.append('%r: keys %r, want %r' % (d[:60], sorted(got)[:4],
                                                           sorted(want)[:4]))
                continue
            for k, (t, s, e) in got.items():
                span = d[s:e]
                val = py_parse(span)[1]
                if t == 0 or val != first[k] or span != span.strip(b' \t\r\n'):
                    bad_fields.append('%r: %r at %d..%d' % (d[:60], k, s, e))
                    break
    report('validity', bad_valid, len(docs))
    report('compact', bad_compact, n_valid)
    report('unescape', bad_unesc, n_str)
    report('fields', bad_fields, n_obj)
    print('PASS json_diff/expected_differences (Python accepts, json.c '
          'refuses: %d NaN/Infinity, %d lone surrogates, %d deeper than %d)'
          % (expected['nan'], expected['surrogate'], expected['deep'], MAX_DEPTH))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
