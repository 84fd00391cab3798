#!/usr/bin/env python3
"""Integration: zoomws run like a daemon.

The service manager's protocol (a receiver of $NOTIFY_SOCKET datagrams,
as systemd listens), --output with the real logrotate rotating it while
events flow, --metrics checked by Prometheus's promtool and against what
the simulator did, two instances on one subscription converging, and
--dedup.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

from itlib import (EMULATED, FAST, ROOT, ZOOMWS, Run, event, expect, expect_eq,
                   line, main, sim, test)


class Notify:
    """A $NOTIFY_SOCKET receiver: a datagram socket at a path, or at an
    abstract name; every datagram kept with its arrival time."""

    def __init__(self, abstract=False):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if abstract:
            name = 'zoomws-test-%d-%d' % (os.getpid(), time.monotonic_ns() % 10**9)
            self.s.bind('\0' + name)
            self.addr = '@' + name
        else:
            self.dir = tempfile.mkdtemp()
            self.addr = os.path.join(self.dir, 'notify')
            self.s.bind(self.addr)
        self.msgs = []
        self._stop = False
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        self.s.settimeout(0.2)
        while not self._stop:
            try:
                data = self.s.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            self.msgs.append((time.monotonic(), data.decode()))

    def texts(self):
        return [m for _, m in self.msgs]

    def wait_for(self, text, timeout=5):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if any(text in m for m in self.texts()):
                return
            time.sleep(0.02)
        raise AssertionError('no %r among %r' % (text, self.texts()))

    def close(self):
        self._stop = True
        self.s.close()


# ---- the service manager ----------------------------------------------------

@test
def notify_ready_status_reload_stopping():
    for abstract in (False, True):
        n = Notify(abstract)
        try:
            with sim() as s:
                s.ws_scripts = [[('event', event('meeting.started')), ('hold',)]]
                r = Run(FAST, s=s, extra_env={'NOTIFY_SOCKET': n.addr})
                n.wait_for('READY=1')
                n.wait_for('STATUS=subscription %s open' % s.subscription_id)
                r.wait_lines(1)
                r.signal(signal.SIGHUP)
                n.wait_for('RELOADING=1')
                reload_msgs = [m for m in n.texts() if 'RELOADING=1' in m]
                expect(re.search(r'MONOTONIC_USEC=\d+', reload_msgs[0]),
                       'no MONOTONIC_USEC: %r', reload_msgs)
                time.sleep(0.2)
                after = n.texts()[n.texts().index(reload_msgs[0]) + 1:]
                expect('READY=1' in after, 'no READY=1 after the reload: %r', after)
                r.signal(signal.SIGTERM)
                expect_eq(r.wait(), 0, 'exit code')
                n.wait_for('STOPPING=1')
                ready = [i for i, m in enumerate(n.texts()) if m.startswith('READY=1')]
                expect(ready and 'STATUS=connecting' in n.texts()[ready[0]],
                       'the first READY=1 names what it does: %r', n.texts())
        finally:
            n.close()


@test
def notify_watchdog_from_every_wait():
    n = Notify()
    try:
        with sim() as s:
            # the token takes 2 s: the pings go on while zoomws waits for it
            s.token_faults = [{'delay': 2}]
            s.ws_scripts = [[('event', event('meeting.started')), ('hold',)]]
            r = Run(['--idle-timeout', '10'] + FAST, s=s,
                    extra_env={'NOTIFY_SOCKET': n.addr, 'WATCHDOG_USEC': '400000'})
            r.wait_lines(1, 10)
            time.sleep(1)
            r.signal(signal.SIGTERM)
            expect_eq(r.wait(), 0, 'exit code')
            pings = [t for t, m in n.msgs if m == 'WATCHDOG=1']
            expect(len(pings) >= 10, 'only %d pings in 3 s', len(pings))
            gaps = [b - a for a, b in zip(pings, pings[1:])]
            expect(max(gaps) < 0.35, 'a ping came %.2f s late (interval 0.2 s)',
                   max(gaps))
        # $WATCHDOG_PID naming another process: the watchdog is not ours
        with sim() as s:
            n.msgs.clear()
            r = Run(['-t', '1'] + FAST, s=s, extra_env={
                'NOTIFY_SOCKET': n.addr, 'WATCHDOG_USEC': '200000',
                'WATCHDOG_PID': '1'})
            expect_eq(r.wait(), 0, 'exit code')
            expect('WATCHDOG=1' not in n.texts(), 'pinged for another pid')
    finally:
        n.close()


@test
def notify_status_says_why_it_reconnects():
    n = Notify()
    try:
        with sim() as s:
            s.token_faults = [{'status': 503}]
            r = Run(['-t', '1'] + FAST, s=s, extra_env={'NOTIFY_SOCKET': n.addr})
            expect_eq(r.wait(), 0, 'exit code')
            st = [m for m in n.texts() if m.startswith('STATUS=reconnecting in')]
            expect(st, 'no reconnecting status: %r', n.texts())
    finally:
        n.close()


# ---- --output and logrotate -------------------------------------------------

@test
def output_file_created_0600_and_appended():
    d = tempfile.mkdtemp()
    out = os.path.join(d, 'events.ndjson')
    e1, e2 = event('meeting.started', 1), event('meeting.ended', 2)
    with sim() as s:
        s.ws_scripts = [[('event', e1)], [('event', e2)]]
        r = Run(['-n', '1', '-o', out] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code')
        expect_eq(r.raw, b'', 'stdout')
        expect_eq(os.stat(out).st_mode & 0o777, 0o600, 'mode')
        r = Run(['-n', '1', '--output', out] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code')
    with open(out) as f:
        expect_eq(f.read().splitlines(), [line(e1), line(e2)], 'file')
    r = Run(['-n', '1', '-o', os.path.join(d, 'no', 'such', 'dir')] + FAST, env={
        'ZOOM_CLIENT_ID': 'x', 'ZOOM_CLIENT_SECRET': 'y', 'ZOOM_SUBSCRIPTION_ID': 's'})
    expect_eq(r.wait(), 74, 'exit code for a file that cannot be opened')
    expect('--output' in r.stderr, 'message:\n%s', r.stderr)


def _logrotate_conf(d, path, pid):
    """contrib/zoomws.logrotate for this test: its rules, the test's path,
    and a postrotate that signals the test's zoomws."""
    with open(os.path.join(ROOT, 'contrib', 'zoomws.logrotate')) as f:
        text = f.read()
    text = text.replace('/var/lib/zoomws/*.ndjson', path)
    # several rotations within a day: numbered, not dated
    text = text.replace('\tdateext\n', '')
    text = re.sub(r"systemctl reload [^\n]*", 'kill -HUP %d' % pid, text)
    conf = os.path.join(d, 'logrotate.conf')
    with open(conf, 'w') as f:
        f.write(text)
    return conf


@test
def logrotate_rotates_the_output_without_losing_a_line():
    tool = shutil.which('logrotate') or '/usr/sbin/logrotate'
    if not os.path.exists(tool):
        raise AssertionError('logrotate is not installed (make test installs it)')
    d = tempfile.mkdtemp()
    out = os.path.join(d, 'events.ndjson')
    evs = [event('meeting.participant_joined', i, pad='p' * 300) for i in range(600)]
    script = []
    for i, e in enumerate(evs):
        script.append(('event', e))
        if i % 20 == 19:
            script.append(('sleep', 0.05))
    with sim() as s:
        s.ws_scripts = [script + [('hold',)]]
        r = Run(['-o', out] + FAST, s=s)
        conf = _logrotate_conf(d, out, r.p.pid)
        state = os.path.join(d, 'state')
        rotations = 0
        # rotate three times while the events flow
        for _ in range(3):
            time.sleep(0.4)
            p = subprocess.run([tool, '--force', '--state', state, conf],
                               capture_output=True, timeout=30)
            expect_eq(p.returncode, 0, 'logrotate: %s' % p.stderr.decode())
            rotations += 1
        expect(s.wait(lambda: s.connections[0].events_sent == 600, 30),
               'the simulator did not send everything')
        time.sleep(0.5)
        r.signal(signal.SIGTERM)
        expect_eq(r.wait(), 0, 'exit code:\n' + r.stderr[-1500:])
        expect_eq(len(s.connections), 1, 'connections: a rotation reconnected')
    files = sorted(f for f in os.listdir(d) if f.startswith('events.ndjson'))
    expect(len(files) >= 3, 'rotated files: %r', files)
    got = []
    import gzip
    for f in files:
        p = os.path.join(d, f)
        opener = gzip.open if f.endswith('.gz') else open
        with opener(p, 'rb') as fh:
            data = fh.read()
        expect(data == b'' or data.endswith(b'\n'), '%s ends mid-line', f)
        got += [json.loads(x) for x in data.splitlines()]
    ids = sorted(g['payload']['object']['id'] for g in got)
    want = sorted(e['payload']['object']['id'] for e in evs)
    expect_eq(len(ids), len(want), 'events across the files (each once)')
    expect_eq(ids, want, 'the events across the files')


# ---- --metrics --------------------------------------------------------------

def _metrics(path):
    vals = {}
    with open(path) as f:
        for ln in f:
            if ln.startswith('#') or not ln.strip():
                continue
            name, val = ln.rsplit(' ', 1)
            vals[name] = float(val)
    return vals


def _promtool_check(path):
    tool = shutil.which('promtool')
    if tool is None:
        raise AssertionError('promtool is not installed (make test installs it)')
    with open(path, 'rb') as f:
        p = subprocess.run([tool, 'check', 'metrics'], stdin=f, capture_output=True,
                           timeout=30)
    expect_eq(p.returncode, 0, 'promtool check metrics: %s' %
              (p.stdout + p.stderr).decode())


@test
def metrics_file_checked_by_promtool_and_true():
    d = tempfile.mkdtemp()
    path = os.path.join(d, 'zoomws.prom')
    evs = [event('meeting.started', i) for i in range(5)]
    with sim() as s:
        s.ws_scripts = [[('event', e) for e in evs[:3]] +
                        [('text', 'not json'), ('wait_heartbeats', 2),
                         ('close', 1001, 'going away')],
                        [('event', evs[3]), ('event', evs[4]), ('hold',)]]
        r = Run(['--metrics', path, '-E', 'meeting.*'] + FAST, s=s)
        r.wait_lines(5)
        s.wait(lambda: os.path.exists(path) and
               _metrics(path).get('zoomws_events_written_total') == 5, 8)
        _promtool_check(path)
        m = _metrics(path)
        expect_eq(m['zoomws_up'], 1.0, 'up')
        expect_eq(m['zoomws_connects_total'], 2.0, 'connects')
        expect_eq(m['zoomws_events_written_total'], 5.0, 'events written')
        expect_eq(m['zoomws_events_malformed_total'], 1.0, 'malformed')
        expect_eq(m['zoomws_disconnects_total{reason="server_close"}'] +
                  m['zoomws_disconnects_total{reason="takeover"}'], 1.0,
                  'disconnects by the server')
        expect(m['zoomws_received_bytes_total'] > 0, 'bytes')
        # a heartbeat was answered (on loopback, in under a millisecond)
        expect(0 <= m.get('zoomws_heartbeat_rtt_seconds', -1) < 2, 'rtt %r',
               m.get('zoomws_heartbeat_rtt_seconds'))
        now = time.time()
        expect(now - 10 < m['zoomws_last_event_timestamp_seconds'] <= now + 1,
               'last event time %r', m['zoomws_last_event_timestamp_seconds'])
        expect(now + 3000 < m['zoomws_token_expiry_timestamp_seconds'] < now + 3700,
               'token expiry %r', m['zoomws_token_expiry_timestamp_seconds'])
        expect(m['zoomws_gap_seconds_total'] > 0, 'gap seconds')
        expect('zoomws_build_info{version="' in open(path).read(), 'build info')
        expect(not [f for f in os.listdir(d) if f != 'zoomws.prom'],
               'files left beside it: %r', os.listdir(d))
        r.signal(signal.SIGTERM)
        expect_eq(r.wait(), 0, 'exit code')
        expect_eq(_metrics(path)['zoomws_up'], 0.0, 'up after exit')
        _promtool_check(path)


@test
def an_idle_connection_wakes_rarely():
    if EMULATED:
        return          # QEMU's own threads wake the process
    d = tempfile.mkdtemp()
    path = os.path.join(d, 'zoomws.prom')
    with sim() as s:
        s.ws_scripts = [[('event', event('meeting.started')), ('hold',)]]
        r = Run(['--heartbeat', '2', '--metrics', path], s=s)
        r.wait_lines(1)
        time.sleep(3)

        def switches():
            with open('/proc/%d/status' % r.p.pid) as f:
                return sum(int(l.split()[1]) for l in f
                           if 'voluntary_ctxt_switches' in l)
        a = switches()
        time.sleep(10)
        b = switches()
        r.signal(signal.SIGTERM)
        expect_eq(r.wait(), 0, 'exit code')
        # per heartbeat: one wake to send it, one for its answer, one for
        # the metrics file that changed: 15 in 10 s at most (at the
        # default 25 s heartbeat: about 7 a minute)
        expect(b - a <= 16, '%d wakeups in 10 s with a heartbeat every 2 s', b - a)
        print('# idle: %d wakeups in 10 s with a 2 s heartbeat' % (b - a))


# ---- two instances ----------------------------------------------------------

@test
def two_instances_on_one_subscription_converge():
    # Zoom keeps the newest connection of a subscription (the simulator
    # does too): two instances would take it from each other forever.
    args = ['--heartbeat', '0.2', '--backoff-min', '0.05', '--backoff-max', '1']
    d = tempfile.mkdtemp()
    with sim() as s:
        s.ws_scripts = []
        a = Run(args + ['--metrics', os.path.join(d, 'a.prom')], s=s)
        b = Run(args + ['--metrics', os.path.join(d, 'b.prom')], s=s)
        settled = None
        end = time.monotonic() + 50
        while time.monotonic() < end:
            n0 = len(s.connections)
            time.sleep(5)
            if len(s.connections) - n0 <= 2:
                settled = time.monotonic()
                break
        expect(settled is not None, 'still flapping after 50 s: %d connections',
               len(s.connections))
        live = [c for c in s.connections if c.ended is None and c.build and c.build[0]]
        expect_eq(len(live), 1, 'connections open')
        for r in (a, b):
            r.signal(signal.SIGTERM)
            expect_eq(r.wait(), 0, 'exit code')
        warned = [r for r in (a, b) if 'another client is probably connected' in r.stderr]
        expect(warned, 'no warning:\n%s\n---\n%s', a.stderr[-1500:], b.stderr[-1500:])
        expect(s.subscription_id in warned[0].stderr, 'the subscription not named')
        expect(warned[0].stderr.count('another client is probably') == 1,
               'warned more than once')
        takeovers = sum(_metrics(os.path.join(d, n))
                        .get('zoomws_disconnects_total{reason="takeover"}', 0)
                        for n in ('a.prom', 'b.prom'))
        expect(takeovers >= 3, 'takeovers counted: %r', takeovers)


# ---- --dedup ----------------------------------------------------------------

@test
def dedup_drops_identical_events_in_the_window():
    e1, e2 = event('meeting.started', 1), event('meeting.ended', 2)
    with sim() as s:
        s.ws_scripts = [[('event', e1), ('event', e1), ('event', e2), ('event', e1),
                         ('sleep', 0.6), ('event', e1), ('event', e2), ('hold',)]]
        d = tempfile.mkdtemp()
        path = os.path.join(d, 'm.prom')
        r = Run(['--dedup', '0.5', '--metrics', path] + FAST, s=s)
        r.wait_lines(4)
        time.sleep(0.5)
        r.signal(signal.SIGTERM)
        expect_eq(r.wait(), 0, 'exit code')
        # the second e1 and the third are within 0.5 s of the first; after
        # 0.6 s e1 and e2 are new again
        expect_eq(r.lines(), [line(e1), line(e2), line(e1), line(e2)], 'stdout')
        expect_eq(_metrics(path)['zoomws_events_duplicate_total'], 2.0, 'duplicates')
    with sim() as s:
        s.ws_scripts = [[('event', e1), ('event', e1), ('hold',)]]
        r = Run(['-n', '2'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'without --dedup both are written')


if __name__ == '__main__':
    main()
