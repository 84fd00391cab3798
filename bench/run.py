#!/usr/bin/env python3
"""make bench: zoomws against the Node.js client and the BearSSL ceiling.

Every contender is measured in the same run against the same firehose
server on 127.0.0.1, REPS times (interleaved), and the table shows medians.
A benchmark, not a test: it asserts nothing about time. It does check that
each run wrote the events it should have (line counts; a sample of the
output compared with what the server sent) and says so under the table.

Contenders
  ceiling  bench/ceiling.c: BearSSL, same handshake and upgrade, then only
           reads and discards (no BearSSL client can do less work)
  zoomws   ./zoomws
  node     Node + ws: bench/node_client.js

Workloads, each with stdout to /dev/null and through a pipe drained by
bench/spawn (64 KiB reads):
  small    about 640-byte frames (meeting.participant_joined)
  large    about 8 KB frames (recording.completed)
plus N=1 runs for start-to-first-event, reconnect runs (the server sends one
event per connection and closes) against a server with a TLS session cache
and one without, and callgrind instruction counts for zoomws and the ceiling.

Figures
  events/s      (N-1) / (client exit - server queued the first event),
                both CLOCK_MONOTONIC: the steady rate, start-up left out
  MB/s          WebSocket bytes the client received per second at that rate
  CPU us/event  (user+sys of the client, from wait4) minus the CPU of an
                N=1 run, over N-1: the marginal cost, also = CPU seconds
                per million events
  peak RSS      ru_maxrss of the client (spawn is a small static program,
                so the figure is the client's own); also with a reader that
                does not read for the first second (the client must hold
                back: its buffers fill up to its back-pressure limit)
  first event   process start to the first line read from its stdout
  reconnect     server's close to the next line, line to line; resumed:
                the server has a session cache; full: it has none
  instr/event   callgrind Ir, (Ir(N) - Ir(1)) / (N-1)
  server CPU    the firehose's CPU over the run's wall time: near 100 %
                means the server, not the client, set the pace

Usage: bench/run.py [--reps N] [--small N] [--large N] [--quick]
                    [--only ceiling,zoomws,node] [--no-callgrind]
                    [--callgrind-only]
                    [--json FILE]
"""
import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD = os.path.join(ROOT, 'build', 'bench')
sys.path.insert(0, HERE)
import workload  # noqa: E402

FIREHOSE = os.path.join(BUILD, 'firehose')
CEILING = os.path.join(BUILD, 'ceiling')
SPAWN = os.path.join(BUILD, 'spawn')
ZOOMWS = os.environ.get('ZOOMWS', os.path.join(ROOT, 'zoomws'))
ZOOMWS_A64 = os.environ.get('ZOOMWS_A64', os.path.join(ROOT, 'build', 'aarch64', 'zoomws'))
CEILING_A64 = os.path.join(BUILD, 'aarch64', 'ceiling')
QEMU_A64 = 'qemu-aarch64-static'
# The JSON work alone (bench/json_ir.c): (label, program, counter).
JSON_IR = (('x86-64, SSE2 (callgrind)', os.path.join(BUILD, 'json_ir'), 'callgrind'),
           ('x86-64, portable (callgrind)', os.path.join(BUILD, 'json_ir_portable'),
            'callgrind'),
           ('aarch64, NEON (qemu)', os.path.join(BUILD, 'aarch64', 'json_ir'), 'qemu'),
           ('aarch64, portable (qemu)', os.path.join(BUILD, 'aarch64', 'json_ir_portable'),
            'qemu'))
NODE = shutil.which('node') or 'node'
NODE_CLIENT = os.path.join(HERE, 'node_client.js')
ROUNDS = 10             # connections per reconnect run
STALL = 1.0             # seconds the stalled reader does not read
TIMEOUT = 300           # seconds, any one run
CONTENDERS = ('ceiling', 'zoomws', 'node')


def log(msg):
    sys.stderr.write(msg + '\n')
    sys.stderr.flush()


class Firehose:
    """The server process; its first stdout line describes the frames."""

    def __init__(self, certs, evsets):
        args = [FIREHOSE, '--cert', certs['chain.pem'], '--key', certs['server.key']]
        for name, (path, _) in evsets.items():
            args += ['--events', '%s=%s' % (name, path)]
        self.p = subprocess.Popen(args, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
        self.info = json.loads(self.p.stdout.readline())
        self.conns = []
        t = threading.Thread(target=self._read, daemon=True)
        t.start()

    def _read(self):
        for line in self.p.stdout:
            try:
                self.conns.append(json.loads(line))
            except ValueError:
                pass

    def settle(self, since, n, match=lambda c: True, timeout=2.0):
        """The reports of connections since index `since`, once n of
        them match (or after timeout)."""
        end = time.monotonic() + timeout
        while (sum(1 for c in self.conns[since:] if match(c)) < n and
               time.monotonic() < end):
            time.sleep(0.005)
        return self.conns[since:]

    def port(self, cache=True):
        return self.info['port' if cache else 'port_nocache']

    def stream_bytes(self, name, n):
        """WebSocket bytes after the 101 for n events of set name."""
        fr = self.info['frames'][name]
        return self.info['bc'] + sum(fr) * (n // len(fr)) + sum(fr[:n % len(fr)])

    def cpu(self):
        with open('/proc/%d/stat' % self.p.pid) as f:
            fields = f.read().rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')

    def stop(self):
        self.p.kill()
        self.p.wait()


def env_for(fh, sub, cache=True):
    port = fh.port(cache)
    return {
        'PATH': os.environ.get('PATH', '/usr/bin:/bin'),
        'HOME': os.environ.get('HOME', '/tmp'),
        'ZOOM_CLIENT_ID': 'benchClientId',
        'ZOOM_CLIENT_SECRET': 'benchClientSecret',
        'ZOOM_ACCOUNT_ID': 'benchAccountId',
        'ZOOM_OAUTH_URL': 'https://127.0.0.1:%d/oauth/token' % port,
        'ZOOM_WS_URL': 'wss://127.0.0.1:%d/ws?subscriptionId=%s' % (port, sub),
    }


def argv_for(who, ca, n, nbytes, rounds=1):
    if who == 'ceiling':
        a = [CEILING, '--ca-file', ca, '-b', str(nbytes)]
        return a + ['-r', str(rounds)] if rounds > 1 else a
    if who == 'zoomws':
        a = [ZOOMWS, '--ca-file', ca, '-n', str(n)]
        # The smallest reconnect delay zoomws accepts (it draws the delay
        # uniformly below --backoff-min): the figure is then the protocol.
        return a + ['--backoff-min', '0.001', '--backoff-max', '0.001'] \
            if rounds > 1 else a
    return [NODE, NODE_CLIENT, '--ca-file', ca, '-n', str(n)]


def spawn(argv, env, pipe, stamps=0, capture=None, logf=None, stall=0):
    a = [SPAWN, '--timeout', str(TIMEOUT)]
    if pipe:
        a.append('--pipe')
    if stall:
        a += ['--stall', str(stall)]
    if stamps:
        a += ['--stamps', str(stamps)]
    if capture:
        a += ['--capture', capture, str(4 << 20)]
    p = subprocess.run(a + ['--'] + argv, env=env, stdout=subprocess.PIPE,
                       stderr=logf or subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    return json.loads(p.stdout.decode())


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


class Bench:
    def __init__(self, args):
        self.args = args
        self.who = [w for w in CONTENDERS if w in args.only.split(',')]
        self.res = {}           # (who, metric) -> list of values
        self.notes = []
        self.problems = []
        os.makedirs(os.path.join(BUILD, 'logs'), exist_ok=True)
        self.certs = workload.certs(os.path.join(BUILD, 'certs'))
        self.sets = workload.events(BUILD)
        self.fh = Firehose(self.certs, self.sets)
        self.n = {'small': args.small, 'large': args.large}

    def add(self, who, metric, v):
        self.res.setdefault((who, metric), []).append(v)

    def get(self, who, metric):
        return med(self.res.get((who, metric), []))

    def logfile(self, who):
        return open(os.path.join(BUILD, 'logs', who + '.log'), 'ab')

    def check(self, who, what, r, lines):
        if r['rc'] != 0 or r['timeout']:
            self.problems.append('%s %s: exit %d%s' % (who, what, r['rc'],
                                 ' (timed out)' if r['timeout'] else ''))
            return False
        if lines is not None and r['lines'] != lines:
            self.problems.append('%s %s: %d lines written, %d expected'
                                 % (who, what, r['lines'], lines))
            return False
        return True

    def first_event(self, who, size):
        sub = '%s-1-0' % size
        with self.logfile(who) as lf:
            r = spawn(argv_for(who, self.certs['ca.pem'], 1,
                               self.fh.stream_bytes(size, 1)),
                      env_for(self.fh, sub), True, stamps=1, logf=lf)
        if self.check(who, 'first event (%s)' % size, r, 1) and r['stamps']:
            self.add(who, 'first_' + size, r['stamps'][0])
            self.add(who, 'startcpu_' + size, r['user'] + r['sys'])

    def stalled(self, who, size):
        """Peak RSS when the reader of stdout falls behind: the pipe is
        not read for STALL seconds, then drained."""
        n = self.n[size] // 5
        sub = '%s-%d-0' % (size, n)
        with self.logfile(who) as lf:
            r = spawn(argv_for(who, self.certs['ca.pem'], n,
                               self.fh.stream_bytes(size, n)),
                      env_for(self.fh, sub), True, logf=lf, stall=STALL)
        if self.check(who, '%s stalled pipe' % size, r, 1 if who == 'ceiling' else n):
            self.add(who, 'rss_%s_stall' % size, r['maxrss_kb'])

    def throughput(self, who, size, pipe, capture=None):
        n = self.n[size]
        sub = '%s-%d-0' % (size, n)
        seen = len(self.fh.conns)
        c0 = self.fh.cpu()
        with self.logfile(who) as lf:
            r = spawn(argv_for(who, self.certs['ca.pem'], n,
                               self.fh.stream_bytes(size, n)),
                      env_for(self.fh, sub), pipe, capture=capture, logf=lf)
        c1 = self.fh.cpu()
        out = 'pipe' if pipe else 'null'
        want = (1 if who == 'ceiling' else n) if pipe else None
        if not self.check(who, '%s %s' % (size, out), r, want):
            return
        key = '%s_%s' % (size, out)
        self.add(who, 'wall_' + key, r['wall'])
        # The steady rate: from the server queueing the first event to
        # the client's exit (both CLOCK_MONOTONIC).
        mine = lambda c: c.get('sub') == sub
        conn = [c for c in self.fh.settle(seen, 1, mine) if mine(c)]
        if conn:
            t = r['start'] + r['wall'] - conn[0]['t0']
            if t > 0:
                self.add(who, 'rate_' + key, (n - 1) / t)
        self.add(who, 'cpu_' + key, r['user'] + r['sys'])
        self.add(who, 'rss_' + key, r['maxrss_kb'])
        self.add(who, 'srv_' + key, (c1 - c0) / r['wall'] if r['wall'] > 0 else None)

    def reconnect(self, who, cache):
        sub = 'small-1-1'
        seen = len(self.fh.conns)
        with self.logfile(who) as lf:
            r = spawn(argv_for(who, self.certs['ca.pem'], ROUNDS,
                               self.fh.stream_bytes('small', 1), rounds=ROUNDS),
                      env_for(self.fh, sub, cache), True, stamps=ROUNDS, logf=lf)
        what = 'reconnect (%s)' % ('resumed' if cache else 'full')
        if not self.check(who, what, r, ROUNDS):
            return
        if cache:
            # Reports come as connections end, not always in order: all
            # but the first connection of the run can resume.
            mine = lambda c: c.get('sub') == sub and c.get('cache') == 1
            conns = [c for c in self.fh.settle(seen, ROUNDS, mine) if mine(c)]
            self.add(who, 'resumed_count', sum(c['resumed'] for c in conns))
            self.add(who, 'resumed_of', len(conns) - 1)
        st = r['stamps']
        for a, b in zip(st, st[1:]):
            self.add(who, 'reconnect_' + ('resumed' if cache else 'full'), b - a)

    def run(self):
        reps = self.args.reps
        if self.args.callgrind_only:
            self.callgrind()
            self.qemu_counts()
            self.json_counts()
            self.sizes()
            return
        log('bench: warming up')
        for who in self.who:
            self.first_event(who, 'small')
        self.res = {}
        for rep in range(reps):
            log('bench: repetition %d of %d' % (rep + 1, reps))
            for who in self.who:
                for size in ('small', 'large'):
                    self.first_event(who, size)
                for cache in (True, False):
                    self.reconnect(who, cache)
                for size in ('small', 'large'):
                    for pipe in (False, True):
                        cap = None
                        if rep == 0 and pipe and who != 'ceiling':
                            cap = os.path.join(BUILD, 'out-%s-%s.ndjson' % (who, size))
                        self.throughput(who, size, pipe, capture=cap)
        log('bench: stalled reader')
        for who in self.who:
            for size in ('small', 'large'):
                self.stalled(who, size)
        self.verify_outputs()
        if not self.args.no_callgrind:
            self.callgrind()
            self.qemu_counts()
            self.json_counts()
        self.sizes()

    def verify_outputs(self):
        """The first events each client wrote, against what was sent:
        zoomws byte for byte, Node as parsed JSON (JSON.stringify
        re-escapes)."""
        for who in self.who:
            if who == 'ceiling':
                continue
            for size in ('small', 'large'):
                path = os.path.join(BUILD, 'out-%s-%s.ndjson' % (who, size))
                if not os.path.exists(path):
                    continue
                lines = self.sets[size][1]
                got = open(path, 'rb').read().split(b'\n')[:-1]
                bad = 0
                for i, g in enumerate(got):
                    want = lines[i % len(lines)]
                    if who == 'zoomws':
                        bad += g != want.encode('utf-8')
                    else:
                        bad += json.loads(g) != json.loads(want)
                self.notes.append('output check %s %s: %d events compared, %d differ'
                                  % (who, size, len(got), bad))
                if bad or not got:
                    self.problems.append('%s %s: output differs from the events sent'
                                         % (who, size))

    def callgrind(self):
        if shutil.which('valgrind') is None:
            self.notes.append('valgrind missing: no instruction counts')
            return
        for who in ('zoomws', 'ceiling'):
            if who not in self.who:
                continue
            for size in ('small', 'large'):
                # The same wire bytes for both sizes: large events are
                # about 8 times as big.
                n = self.args.cg_events if size == 'small' else max(self.args.cg_events // 8, 2)
                ir = {}
                for k in (1, n):
                    out = os.path.join(BUILD, 'callgrind.%s.%s.%d' % (who, size, k))
                    argv = ['valgrind', '--tool=callgrind', '--callgrind-out-file=' + out,
                            ] + os.environ.get('CALLGRIND_ARGS', '').split() + argv_for(who, self.certs['ca.pem'], k,
                                         self.fh.stream_bytes(size, k))
                    with self.logfile('callgrind') as lf:
                        p = subprocess.run(argv, env=env_for(self.fh, '%s-%d-0' % (size, k)),
                                           stdout=subprocess.DEVNULL, stderr=lf,
                                           stdin=subprocess.DEVNULL, timeout=TIMEOUT)
                    if p.returncode != 0:
                        self.problems.append('callgrind %s %s: exit %d'
                                             % (who, size, p.returncode))
                        break
                    ir[k] = read_ir(out)
                if len(ir) == 2 and None not in ir.values():
                    self.add(who, 'ir_' + size, (ir[n] - ir[1]) / (n - 1))
                    self.add(who, 'irstart_' + size, ir[1])

    def qemu_counts(self):
        """Instructions per event of the aarch64 builds (zoomws on the NEON
        path, and the ceiling), counted by qemu-user (see qemu_insns)."""
        if not shutil.which(QEMU_A64):
            self.notes.append('aarch64: %s missing: no aarch64 count' % QEMU_A64)
            return
        for who, prog in (('zoomws', ZOOMWS_A64), ('ceiling', CEILING_A64)):
            if who not in self.who:
                continue
            if not os.path.exists(prog):
                self.notes.append('aarch64: %s missing: no count (make bench '
                                  'builds it)' % prog)
                continue
            for size in ('small', 'large'):
                n = self.args.qemu_events if size == 'small' else \
                    max(self.args.qemu_events // 8, 2)
                ins = {}
                for k in (1, n):
                    argv = argv_for(who, self.certs['ca.pem'], k,
                                    self.fh.stream_bytes(size, k))
                    argv[0] = prog
                    ins[k] = qemu_insns(argv, env_for(self.fh, '%s-%d-0' % (size, k)))
                    if ins[k] is None:
                        self.problems.append('aarch64 count %s %s: the run failed'
                                             % (who, size))
                        break
                if len(ins) == 2 and None not in ins.values():
                    self.add(who, 'a64_' + size, (ins[n] - ins[1]) / (n - 1))

    def json_counts(self):
        """Instructions per event of the JSON work alone, each path."""
        self.json_ir = []
        for label, prog, how in JSON_IR:
            row = [label]
            for size in ('small', 'large'):
                n = self.args.cg_events // 10 if size == 'small' else \
                    max(self.args.cg_events // 80, 2)
                path = self.sets[size][0]
                got = {}
                for k in (1, n):
                    if not os.path.exists(prog):
                        break
                    if how == 'qemu':
                        got[k] = qemu_insns([prog, path, str(k)], None) \
                            if shutil.which(QEMU_A64) else None
                    else:
                        out = os.path.join(BUILD, 'callgrind.json_ir.%d' % k)
                        p = subprocess.run(['valgrind', '--tool=callgrind',
                                            '--callgrind-out-file=' + out, prog,
                                            path, str(k)],
                                           stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL)
                        got[k] = read_ir(out) if p.returncode == 0 else None
                if len(got) == 2 and None not in got.values():
                    row.append((got[n] - got[1]) / (n - 1))
                else:
                    row.append(None)
                    self.notes.append('%s %s: no count (%s missing or failed)'
                                      % (label, size, prog))
            self.json_ir.append(row)

    def sizes(self):
        for who, path in (('zoomws', ZOOMWS), ('ceiling', CEILING)):
            if who in self.who and os.path.exists(path):
                self.add(who, 'binary', stripped_size(path))
        if 'node' in self.who:
            node = os.path.realpath(NODE)
            ws = os.path.join(HERE, 'node_modules', 'ws')
            wsz = sum(os.path.getsize(os.path.join(d, f))
                      for d, _, fs in os.walk(ws) for f in fs)
            self.add('node', 'binary', stripped_size(node) + wsz)

    def stop(self):
        self.fh.stop()


def qemu_insns(argv, env):
    """Guest instructions of one run under qemu-user, or None. QEMU logs
    each translation block as it translates it (-d in_asm: its
    instructions) and each time it runs one (-d exec, with nochain so
    that none runs unlogged); the log comes through a pipe and each run
    adds the block's instruction count."""
    r, w = os.pipe()
    cmd = [QEMU_A64, '-d', 'in_asm,exec,nochain', '-D', '/dev/fd/%d' % w] + argv
    p = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         pass_fds=(w,))
    os.close(w)
    size, total, start, n = {}, 0, None, 0
    trace = re.compile(rb'^Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+)/')
    insn = re.compile(rb'^0x([0-9a-f]+):  ')
    with os.fdopen(r, 'rb') as f:
        for line in f:
            if line.startswith(b'Trace '):
                m = trace.match(line)
                if m:
                    total += size.get(int(m.group(1), 16), 0)
            elif line.startswith(b'0x'):
                m = insn.match(line)
                if m:
                    if start is None:
                        start, n = int(m.group(1), 16), 0
                    n += 1
            elif line.startswith(b'IN:'):
                start = None
            elif not line.strip() and start is not None:
                size[start] = n
                start = None
    p.wait()
    return total if p.returncode == 0 else None


def read_ir(path):
    with open(path) as f:
        for line in f:
            if line.startswith('summary:') or line.startswith('totals:'):
                return int(line.split()[1])
    return None


def stripped_size(path):
    tmp = os.path.join(BUILD, 'stripped.tmp')
    try:
        subprocess.run(['strip', '-o', tmp, path], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return os.path.getsize(tmp)
    except (OSError, subprocess.CalledProcessError):
        return os.path.getsize(path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


# ---- the table ----

def fmt(v, kind):
    if v is None:
        return '-'
    if kind == 'rate':
        return '{:,.0f}'.format(v)
    if kind == 'mbs':
        return '%.0f' % v if v >= 100 else '%.1f' % v
    if kind == 'us':
        return '%.2f' % v if v < 10 else '%.1f' % v
    if kind == 'ms':
        return '%.1f' % v if v < 100 else '%.0f' % v
    if kind == 'mib':
        return '%.2f' % v if v < 10 else '%.1f' % v
    if kind == 'kib':
        return '{:,.0f} KiB'.format(v) if v < 10240 else '{:,.1f} MiB'.format(v / 1024)
    if kind == 'pct':
        return '%.0f %%' % (100 * v)
    if kind == 'ir':
        return '{:,.0f}'.format(v)
    return str(v)


def ratio(a, b):
    if a is None or b is None or b == 0:
        return '-'
    r = a / b
    if r < 0.1:
        return '%.3f' % r
    return '%.2f' % r if r < 10 else '%.0f' % r


def steady(b, who, size, out):
    """Events per second once streaming: N-1 over the time from the
    server queueing the first event to the client's exit."""
    return b.get(who, 'rate_%s_%s' % (size, out))


def cpu_per_event(b, who, size, out):
    """Marginal CPU microseconds per event: the run's CPU less an N=1
    run's, over N-1."""
    cpu = b.get(who, 'cpu_%s_%s' % (size, out))
    start = b.get(who, 'startcpu_' + size) or 0
    if cpu is None:
        return None
    return max(cpu - start, 0) / (b.n[size] - 1) * 1e6


def peak_rss_kb(b, who, size=None, out=None):
    """The largest peak RSS over the runs (all of them by default)."""
    vals = [v for (w, k), vs in b.res.items() if w == who and k.startswith('rss_')
            and (size is None or k == 'rss_%s_%s' % (size, out)) for v in vs]
    return max(vals) if vals else None


def table(b):
    w = b.who
    rows = []           # (label, {who: value}, kind)

    label = {'small': '640 B', 'large': '8 KB'}
    for size in ('small', 'large'):
        for out in ('null', 'pipe'):
            rows.append(('events/s, %s, stdout %s' % (label[size],
                         '/dev/null' if out == 'null' else 'pipe'),
                         {x: steady(b, x, size, out) for x in w}, 'rate'))
    for size in ('small', 'large'):
        avg = b.stream_avg[size]
        rows.append(('wire MB/s, %s, /dev/null' % label[size],
                     {x: (steady(b, x, size, 'null') or 0) * avg / 1e6 or None for x in w},
                     'mbs'))
    for size in ('small', 'large'):
        for out in ('null', 'pipe'):
            rows.append(('CPU us/event (= s per 1M), %s, %s' % (label[size],
                         '/dev/null' if out == 'null' else 'pipe'),
                         {x: cpu_per_event(b, x, size, out) for x in w}, 'us'))
    for size in ('small', 'large'):
        for out in ('null', 'pipe'):
            rows.append(('peak RSS MiB, %s, %s (largest)' % (label[size],
                         '/dev/null' if out == 'null' else 'pipe'),
                         {x: (lambda v: v / 1024 if v is not None else None)(
                             peak_rss_kb(b, x, size, out)) for x in w}, 'mib'))
        rows.append(('peak RSS MiB, %s, reader stalled %gs' % (label[size], STALL),
                     {x: (lambda v: v / 1024 if v is not None else None)(
                         peak_rss_kb(b, x, size, 'stall')) for x in w}, 'mib'))
    rows.append(('start to first event, ms',
                 {x: (lambda v: v * 1e3 if v is not None else None)(b.get(x, 'first_small'))
                  for x in w}, 'ms'))
    rows.append(('CPU to first event, ms',
                 {x: (lambda v: v * 1e3 if v is not None else None)(b.get(x, 'startcpu_small'))
                  for x in w}, 'ms'))
    for mode in ('resumed', 'full'):
        rows.append(('reconnect, ms, TLS %s' % ('resumed' if mode == 'resumed'
                                                  else 'full handshake'),
                     {x: (lambda v: v * 1e3 if v is not None else None)(
                         b.get(x, 'reconnect_' + mode)) for x in w}, 'ms'))
    for size in ('small', 'large'):
        rows.append(('callgrind instructions/event, %s' % label[size],
                     {x: b.get(x, 'ir_' + size) for x in w}, 'ir'))
    for size in ('small', 'large'):
        rows.append(('aarch64 (qemu) instructions/event, %s' % label[size],
                     {x: b.get(x, 'a64_' + size) for x in w}, 'ir'))
    rows.append(('stripped binary', {x: (lambda v: v / 1024 if v else None)(
        b.get(x, 'binary')) for x in w}, 'kib'))
    for size in ('small', 'large'):
        rows.append(('server CPU while %s, /dev/null' % {'small': 'small',
                     'large': 'large'}[size],
                     {x: b.get(x, 'srv_%s_null' % size) for x in w}, 'pct'))

    head = ['metric (median of %d)' % b.args.reps] + list(w)
    have_r = 'zoomws' in w
    if have_r and 'node' in w:
        head.append('zoomws/node')
    if have_r and 'ceiling' in w:
        head.append('zoomws/ceiling')
    body = []
    for lab, vals, kind in rows:
        line = [lab] + [fmt(vals.get(x), kind) for x in w]
        if have_r and 'node' in w:
            line.append(ratio(vals.get('zoomws'), vals.get('node')) if kind != 'pct' else '')
        if have_r and 'ceiling' in w:
            line.append(ratio(vals.get('zoomws'), vals.get('ceiling')) if kind != 'pct' else '')
        body.append(line)
    widths = [max(len(r[i]) for r in [head] + body) for i in range(len(head))]
    out = []
    out.append('| ' + ' | '.join(h.ljust(widths[i]) for i, h in enumerate(head)) + ' |')
    out.append('|' + '|'.join('-' * (widths[i] + 1) + (':' if i else '-')
                              for i in range(len(head))) + '|')
    for r in body:
        out.append('| ' + ' | '.join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i])
                                     for i, c in enumerate(r)) + ' |')
    return '\n'.join(out)


def targets(b):
    """The performance targets, each with the figures it compares."""
    if 'zoomws' not in b.who:
        return []
    lines = []

    def verdict(ok):
        return '-' if ok is None else ('met' if ok else 'NOT met')

    def cmp(label, z, other, limit, better_high):
        if z is None or other is None or other == 0:
            lines.append((label, None, '-'))
            return
        r = z / other
        ok = r >= limit if better_high else r <= limit
        lines.append((label, ok, '%.3g (limit %s %.3g)' % (r, '>=' if better_high else '<=',
                                                             limit)))

    for size, lab in (('small', '640 B'), ('large', '8 KB')):
        for out in ('null', 'pipe'):
            o = '/dev/null' if out == 'null' else 'pipe'
            z = steady(b, 'zoomws', size, out)
            cmp('events/s >= 80%% of the ceiling, %s, %s' % (lab, o), z,
                steady(b, 'ceiling', size, out), 0.8, True)
            cmp('events/s >= 5x Node, %s, %s' % (lab, o), z,
                steady(b, 'node', size, out), 5, True)
            z = cpu_per_event(b, 'zoomws', size, out)
            cmp('CPU/event <= 2x the ceiling, %s, %s' % (lab, o), z,
                cpu_per_event(b, 'ceiling', size, out), 2, False)
            cmp('CPU/event <= Node/10, %s, %s' % (lab, o), z,
                cpu_per_event(b, 'node', size, out), 0.1, False)
    for size, lab, limit in (('small', '640 B', 6000), ('large', '8 KB', 50000)):
        v = b.get('zoomws', 'ir_' + size)
        if v is not None:
            lines.append(('callgrind instructions/event <= %s, %s' % (format(limit, ','), lab),
                          v <= limit, format(round(v), ',')))
        v = b.get('zoomws', 'a64_' + size)
        lines.append(('aarch64 instructions/event measured, %s' % lab,
                      None if v is None else True,
                      '-' if v is None else format(round(v), ',')))
    rss = peak_rss_kb(b, 'zoomws')
    if rss is not None:
        lines.append(('peak RSS <= 1 MiB (largest of all runs)', rss <= 1024,
                      '%.2f MiB' % (rss / 1024)))
    size = b.get('zoomws', 'binary')
    if size:
        lines.append(('stripped binary <= 200 KiB', size <= 200 * 1024,
                      '%.0f KiB' % (size / 1024)))
    cmp('start to first event <= Node/10', b.get('zoomws', 'first_small'),
        b.get('node', 'first_small'), 0.1, False)
    res = sum(b.res.get(('zoomws', 'resumed_count'), []))
    of = sum(b.res.get(('zoomws', 'resumed_of'), []))
    if of:
        lines.append(('a reconnect resumes the TLS session when the server '
                      'allows it', res == of, '%d of %d reconnects resumed' % (res, of)))
    return ['%-58s %-8s %s' % (l, verdict(ok), d) for l, ok, d in lines]


def machine():
    cpu = '?'
    try:
        for line in open('/proc/cpuinfo'):
            if line.startswith('model name'):
                cpu = line.split(':', 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30
    node = subprocess.run([NODE, '--version'], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL).stdout.decode().strip()
    try:
        wsv = json.load(open(os.path.join(HERE, 'node_modules', 'ws',
                                          'package.json')))['version']
    except (OSError, ValueError):
        wsv = '?'
    return ('%s, %d CPUs, %.0f GiB, Linux %s; Node %s + ws %s; TLS 1.2 '
            'ECDHE-RSA-AES128-GCM-SHA256, RSA-2048 chain of 2'
            % (cpu, os.cpu_count(), mem, platform.release(), node, wsv))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--reps', type=int, default=5)
    ap.add_argument('--small', type=int, default=50000, help='events per small run')
    ap.add_argument('--large', type=int, default=10000, help='events per large run')
    ap.add_argument('--cg-events', type=int, default=20000,
                    help='small events per callgrind run (large: an eighth)')
    ap.add_argument('--quick', action='store_true',
                    help='--reps 1 --small 20000 --large 4000 --cg-events 2000')
    ap.add_argument('--only', default=','.join(CONTENDERS))
    ap.add_argument('--qemu-events', type=int, default=400,
                    help='small events per aarch64 count under qemu (large: an eighth)')
    ap.add_argument('--no-callgrind', action='store_true')
    ap.add_argument('--callgrind-only', action='store_true',
                    help='only the instruction counts and sizes (deterministic, '
                    'about a minute)')
    ap.add_argument('--json', help='also write every measurement here')
    args = ap.parse_args()
    if args.quick:
        args.reps, args.small, args.large, args.cg_events = 1, 20000, 4000, 2000
    for path in (FIREHOSE, CEILING, SPAWN):
        if not os.path.exists(path):
            sys.exit('bench: %s is missing: run make bench' % path)
    if 'zoomws' in args.only and not os.path.exists(ZOOMWS):
        sys.exit('bench: %s is missing: run make' % ZOOMWS)
    t0 = time.time()
    load0 = os.getloadavg()[0]
    b = Bench(args)
    try:
        b.stream_avg = {}
        for size in ('small', 'large'):
            fr = b.fh.info['frames'][size]
            b.stream_avg[size] = sum(fr) / len(fr)
        b.run()
    finally:
        b.stop()
    print()
    try:
        rev = subprocess.run(['git', '-C', ROOT, 'rev-parse', '--short', 'HEAD'],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
                             ).stdout.decode().strip()
    except OSError:
        rev = ''
    print('zoomws benchmark, %s%s' % (time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()),
                                      ', commit ' + rev if rev else ''))
    print(machine())
    print('load average (1 min) at start %.2f, at end %.2f: other work on the '
          'machine skews wall-clock figures, CPU figures much less'
          % (load0, os.getloadavg()[0]))
    print('events per run: %d small (%.0f-byte frames), %d large (%.0f-byte '
          'frames); callgrind: %d small, %d large'
          % (b.n['small'], b.stream_avg['small'], b.n['large'],
             b.stream_avg['large'], args.cg_events, max(args.cg_events // 8, 2)))
    print()
    print(table(b))
    print()
    if getattr(b, 'json_ir', None):
        print('instructions per event of the JSON work alone (bench/json_ir: '
              'envelope, decode and compaction of the event, module check):')
        print()
        print('| path                         |   640 B |   8 KB |')
        print('|------------------------------|--------:|-------:|')
        for label, sm, lg in b.json_ir:
            print('| %-28s | %7s | %6s |' % (label, fmt(sm, 'ir'), fmt(lg, 'ir')))
        print()
    t = targets(b)
    if t:
        print('targets for zoomws:')
        for line in t:
            print('  ' + line)
        print()
    for who in b.who:
        res = sum(b.res.get((who, 'resumed_count'), []))
        of = sum(b.res.get((who, 'resumed_of'), []))
        if of:
            b.notes.append('%s: the server saw %d of %d reconnects to its caching '
                           'port resume the TLS session' % (who, res, of))
    for n in b.notes:
        print('- ' + n)
    for p in b.problems:
        print('- PROBLEM: ' + p)
    print('- %.0f s in all; logs under build/bench/logs' % (time.time() - t0))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'%s %s' % k: v for k, v in b.res.items()}, f, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
