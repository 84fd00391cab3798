#!/usr/bin/env python3
"""Integration: the operations features of zoomws against the simulator:
--lock, --gaps, --check, SIGHUP reload, SIGUSR1 counters, --syslog."""
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time

from itlib import (EMULATED, FAST, Run, event, expect, expect_eq, line, main, sim,
                   test)


@test
def lock_second_instance_exits_75():
    d = tempfile.mkdtemp()
    lock = os.path.join(d, 'zoomws.lock')
    with sim() as s:
        a = Run(['--lock', lock] + FAST, s=s)
        s.wait_connections(1, 5)
        t0 = time.monotonic()
        b = Run(['--lock', lock] + FAST, s=s)
        expect_eq(b.wait(5), 75, 'second instance')
        expect(time.monotonic() - t0 < 2, 'second instance did not exit at once')
        expect('held by another instance' in b.stderr, 'cause:\n%s', b.stderr)
        expect_eq(len(s.connections), 1, 'the second instance connected')
        a.signal(signal.SIGTERM)
        expect_eq(a.wait(), 0, 'first instance')
        # The lock dies with the process.
        c = Run(['--lock', lock, '-t', '0.3'] + FAST, s=s)
        expect_eq(c.wait(5), 0, 'third instance after the first ended')


@test
def gaps_line_after_reconnect():
    e1, e2 = event('meeting.started', 1), event('meeting.ended', 2)
    with sim() as s:
        s.ws_scripts = [[('event', e1), ('drop',)], [('sleep', 0.2), ('event', e2)]]
        before = int(time.time() * 1000)
        r = Run(['-n', '2', '--gaps'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code')
        after = int(time.time() * 1000)
        got = r.lines()
        expect_eq(len(got), 3, 'lines: %r' % got)
        expect_eq(got[0], line(e1), 'first event')
        expect_eq(got[2], line(e2), 'second event')
        gap = json.loads(got[1])
        expect_eq(gap['event'], 'zoomws.gap', 'gap line')
        frm, to = gap['payload']['from'], gap['payload']['to']
        expect(before <= frm <= to <= after, 'window %r not within %r..%r', gap, before,
               after)
    with sim() as s:
        s.ws_scripts = [[('event', e1), ('drop',)], [('event', e2)]]
        r = Run(['-n', '2'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code')
        expect_eq(r.lines(), [line(e1), line(e2)], 'no gap line without --gaps')


@test
def check_passes_step_by_step():
    with sim() as s:
        r = Run(['--check'], s=s)
        expect_eq(r.wait(), 0, 'exit code:\n' + r.stderr)
        for step in ('configuration', 'DNS', 'TCP', 'TLS', 'token', 'upgrade',
                     'build_connection', 'heartbeat'):
            expect(any(l.split()[:2] == ['ok', step] for l in r.stderr.splitlines()),
                   'step %s not ok:\n%s', step, r.stderr)
        expect('check passed' in r.stderr, 'verdict')
        expect('expires' in r.stderr and 'CN=' in r.stderr, 'certificate subject/expiry')
        expect_eq(r.lines(), [], 'stdout')
        # The simulator records the close frame on its own thread: the
        # client may have exited before it did.
        s.wait(lambda: s.connections[0].close_code is not None, 2)
        expect_eq(s.connections[0].close_code, 1000, 'close code')
        expect(len(s.connections[0].heartbeats) >= 1, 'heartbeat sent')


def _check_fails(step, code, hint_word, args=(), **kw):
    r = Run(['--check'] + list(args), **kw)
    expect_eq(r.wait(), code, 'exit code:\n' + r.stderr)
    lines = r.stderr.splitlines()
    expect(any(l.split()[:2] == ['FAIL', step] for l in lines),
           'step %s did not fail:\n%s', step, r.stderr)
    expect(any('hint:' in l and hint_word in l for l in lines),
           'no hint naming %s:\n%s', hint_word, r.stderr)
    return r


@test
def check_names_the_failing_step():
    with sim() as s:
        _check_fails('token', 77, 'ZOOM_CLIENT_SECRET', s=s,
                     extra_env={'ZOOM_CLIENT_SECRET': 'wrong'})
        s.ws_scripts = [[('build', False, 'Invalid Token')]]
        _check_fails('build_connection', 77, 'ZOOM_SUBSCRIPTION_ID', s=s)
        s.ws_scripts = [[('upgrade', {'status': 404})]]
        _check_fails('upgrade', 69, 'ZOOM_WS_URL', s=s)
        s.ws_scripts = [[('mute',)]]
        _check_fails('heartbeat', 69, 'heartbeat',
                     args=['--heartbeat', '0.5', '--idle-timeout', '1'], s=s)
    with sim(cert='untrusted') as s:
        _check_fails('TLS', 69, 'SSL_CERT_FILE', s=s)
    with sim(cert='expired') as s:
        _check_fails('TLS', 69, 'clock', s=s)
    with sim() as s:
        port = s.port
    # nothing listens there any more
    env = {'ZOOM_CLIENT_ID': 'x', 'ZOOM_CLIENT_SECRET': 'y', 'ZOOM_SUBSCRIPTION_ID': 's',
           'ZOOM_WS_URL': 'wss://127.0.0.1:%d/ws' % port,
           'ZOOM_OAUTH_URL': 'https://127.0.0.1:%d/oauth/token' % port}
    _check_fails('TCP', 69, 'port 443', env=env)
    env['ZOOM_WS_URL'] = 'wss://no-such-host.invalid/ws'
    _check_fails('DNS', 69, 'ZOOM_WS_URL', env=env)
    del env['ZOOM_CLIENT_ID']
    _check_fails('configuration', 78, 'env file', env=env)


@test
def sighup_rereads_env_file_and_keeps_the_connection():
    # A secret rotated in the env file and at the server: SIGHUP reads
    # it, and as nothing the connection uses changed, the connection
    # stays (no event missed); the new secret is used at the next token
    # fetch (the token is short-lived here; the server drops the link).
    d = tempfile.mkdtemp()
    path = os.path.join(d, 'zoomws.env')
    e1, e2, e3 = (event('meeting.started', 1), event('meeting.ended', 2),
                  event('user.created', 3))
    with sim() as s:
        env = s.env()
        secret = env.pop('ZOOM_CLIENT_SECRET')
        with open(path, 'w') as f:
            f.write('ZOOM_CLIENT_SECRET=%s\n' % secret)
        os.chmod(path, 0o600)
        s.expires_in = 2
        s.ws_scripts = [[('event', e1), ('sleep', 0.6), ('event', e2), ('sleep', 1.6),
                         ('drop',)],
                        [('event', e3), ('hold',)]]
        r = Run(['--env-file', path] + FAST, env=env)
        r.wait_lines(1)
        # Rotate the secret at the server and in the file, then SIGHUP.
        s.client_secret = 'rotated-secret-value'
        with open(path, 'w') as f:
            f.write('ZOOM_CLIENT_SECRET=rotated-secret-value\n')
        r.signal(signal.SIGHUP)
        r.wait_lines(3, 10)
        r.signal(signal.SIGTERM)
        expect_eq(r.wait(), 0, 'exit code')
        expect_eq(r.lines(), [line(e1), line(e2), line(e3)], 'stdout')
        expect_eq(len(s.connections), 2, 'connections: the reload reconnected')
        expect(s.connections[0].events_sent == 2, 'the first connection delivered '
               'both events across the reload')
        expect_eq(len(s.token_requests), 2, 'token fetched again at the reconnect')
        import base64
        want = 'Basic ' + base64.b64encode(
            ('%s:rotated-secret-value' % s.client_id).encode()).decode()
        expect_eq(s.token_requests[1]['headers'].get('authorization'), want,
                  'the rotated secret')
        expect('rotated-secret-value' not in r.stderr, 'secret logged')
        expect('reloaded' in r.stderr, 'reload logged:\n%s', r.stderr)


@test
def sigusr1_prints_counters():
    evs = [event('meeting.started', i) for i in range(3)]
    with sim() as s:
        s.ws_scripts = [[('event', e) for e in evs] + [('hold',)]]
        r = Run(FAST, s=s)
        rc, ln = r.counters(3)
        expect_eq(rc, 0, 'exit code')
        for word in ('uptime', 'connects 1', 'events in 3', 'out 3', 'filtered 0',
                     'malformed 0', 'bytes in', 'last event'):
            expect(word in ln, '%r missing from %r', word, ln)


# Runs a command in a mount namespace whose /dev is a tmpfs of links to
# the real entries, and /dev/log a link to the socket $1: syslog lines
# reach the test, not the host's daemon.
DEVLOG_NS = r'''set -e
old=$(mktemp -d)
mount --rbind /dev "$old"
mount -t tmpfs -o mode=755 tmpfs /dev
for f in "$old"/*; do ln -s "$f" /dev/; done
ln -sf "$1" /dev/log
shift
exec "$@"
'''


def _devlog_socket(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.setblocking(False)
    return s


def _datagrams(s):
    got = []
    while True:
        try:
            got.append(s.recv(65536).decode('utf-8', 'replace'))
        except BlockingIOError:
            return got


@test
def syslog_lines_go_to_dev_log():
    d = tempfile.mkdtemp()
    path = os.path.join(d, 'log')
    wrap = ['unshare', '-m' if os.geteuid() == 0 else '-rm', 'sh', '-c',
            DEVLOG_NS, 'sh', path]
    try:
        subprocess.run(wrap + ['true'], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print('# syslog_lines_go_to_dev_log: no mount namespace here (%s), '
              'only stderr checked' % e)
        wrap = None
    log = _devlog_socket(path)
    e1, e2 = event('meeting.started', 1), event('meeting.ended', 2)
    with sim() as s:
        s.ws_scripts = [[('event', e1), ('sleep', 0.5), ('event', e2)]]
        r = Run(['-n', '2', '--syslog'] + FAST, s=s, wrap=wrap or ())
        r.wait_lines(1)
        # The daemon restarts: the next line goes to its new socket.
        first = _datagrams(log)
        log.close()
        os.unlink(path)
        log = _devlog_socket(path)
        expect_eq(r.wait(), 0, 'exit code')
        expect_eq(r.stderr, '', 'stderr with --syslog')
        expect_eq(r.lines(), [line(e1), line(e2)], 'stdout')
    second = _datagrams(log)
    log.close()
    if wrap is None:
        return
    for dg in first + second:
        expect(re.fullmatch(r'<(\d+)>zoomws\[%d\]: [^\n]*\n' % r.p.pid, dg),
               'datagram %r', dg)
    expect(any(re.match(r'<30>zoomws\[\d+\]: connected', dg) for dg in first),
           'no "connected" at daemon.info before the restart: %r', first)
    expect(any(re.match(r'<30>zoomws\[\d+\]: exiting \(0\): 2 events', dg)
               for dg in second),
           'no "exiting" at daemon.info after the restart: %r', second)


@test
def secrets_not_in_proc_and_env_file_mode_warned():
    d = tempfile.mkdtemp()
    path = os.path.join(d, 'zoomws.env')
    with sim() as s:
        s.ws_scripts = [[('event', event('meeting.started')), ('hold',)]]
        r = Run(FAST, s=s)
        r.wait_lines(1)
        pid = r.p.pid
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            cmdline = f.read()
        with open('/proc/%d/environ' % pid, 'rb') as f:
            environ = f.read()
        r.signal(signal.SIGTERM)
        expect_eq(r.wait(), 0, 'exit code')
        expect(s.client_secret.encode() not in cmdline, 'secret in cmdline')
        # Under qemu-user /proc/PID/environ is the emulator's copy, which
        # the guest cannot reach; the guest's own copy is the one wiped.
        if not EMULATED:
            expect(s.client_secret.encode() not in environ,
                   'secret still in /proc/PID/environ after start-up')
        tok = s.connections[0].query['access_token'].encode()
        expect(tok not in environ and tok not in cmdline, 'token in /proc')
        # An env file readable by others draws a warning naming it.
        env = s.env()
        with open(path, 'w') as f:
            f.write('ZOOM_CLIENT_SECRET=%s\n' % env.pop('ZOOM_CLIENT_SECRET'))
        os.chmod(path, 0o644)
        r = Run(['--env-file', path, '-t', '0.3'] + FAST, env=env)
        expect_eq(r.wait(), 0, 'exit code')
        expect('readable by others' in r.stderr and path in r.stderr,
               'no warning:\n%s', r.stderr)


@test
def process_is_not_dumpable():
    # For a process that is not dumpable (prctl PR_SET_DUMPABLE 0: no core
    # file, no ptrace by its own user) the kernel makes /proc/PID/* owned
    # by root. Run zoomws as nobody and look.
    if os.getuid() != 0:
        raise AssertionError('needs root to run zoomws as another user')
    with sim() as s:
        s.ws_scripts = [[('event', event('meeting.started')), ('hold',)]]
        env = dict(s.env(), PATH=os.environ.get('PATH', '/usr/bin:/bin'))
        os.chmod(s.env()['SSL_CERT_FILE'], 0o644)
        import subprocess
        p = subprocess.Popen([os.environ.get('ZOOMWS', os.path.join(
            os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'zoomws'))]
            + FAST, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            preexec_fn=lambda: (os.setgid(65534), os.setuid(65534)))
        try:
            p.stdout.readline()
            st = os.stat('/proc/%d/environ' % p.pid)
            with open('/proc/%d/status' % p.pid) as f:
                uid = [l for l in f if l.startswith('Uid:')][0].split()[1]
        finally:
            p.send_signal(signal.SIGTERM)
            p.wait(5)
        expect_eq(uid, '65534', 'process uid')
        expect_eq(st.st_uid, 0, 'owner of /proc/PID/environ (dumpable process?)')


if __name__ == '__main__':
    main()
