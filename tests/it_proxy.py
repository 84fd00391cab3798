#!/usr/bin/env python3
"""Integration: zoomws through a real HTTP CONNECT proxy (tinyproxy from
Debian's packages, installed by need.sh when missing), started here on
127.0.0.1 with its own configuration and log.

Checked: --proxy, HTTPS_PROXY and https_proxy tunnel both the token
request and the WebSocket (tinyproxy logs each CONNECT); NO_PROXY sends
zoomws direct; Basic proxy credentials from the URL (percent-decoded)
work and never reach the logs; wrong or missing credentials are
reported as a 407; a proxy that refuses CONNECT, and one that is down,
are reported, by the daemon and by --check.
"""
import base64
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time

from itlib import (FAST, ROOT, Run, event, expect, expect_eq, line, main, sim,
                   test)

PROXY_USER, PROXY_PASS = 'zoomproxy', 's3cr.t-x_y'
# The password percent-encoded as a URL carries it ('.' as %2E).
PROXY_PASS_URL = 's3cr%2Et-x_y'
_tinyproxy = []


def tinyproxy_bin():
    if not _tinyproxy:
        path = shutil.which('tinyproxy')
        if path is None:
            p = subprocess.run([os.path.join(ROOT, 'need.sh'), 'tinyproxy', 'tinyproxy'],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            expect(p.returncode == 0, 'need.sh tinyproxy: %s', p.stdout)
            path = shutil.which('tinyproxy')
        expect(path, 'no tinyproxy')
        _tinyproxy.append(path)
    return _tinyproxy[0]


def free_port():
    with socket.socket() as so:
        so.bind(('127.0.0.1', 0))
        return so.getsockname()[1]


class Tinyproxy:
    """tinyproxy in the foreground on 127.0.0.1: CONNECT allowed to
    connect_ports only, Basic credentials when auth is (user, pass)."""

    def __init__(self, connect_ports, auth=None):
        self.dir = tempfile.mkdtemp(prefix='zoomws-proxy-')
        self.logfile = os.path.join(self.dir, 'tinyproxy.log')
        self.auth = auth
        self.p = None
        for _ in range(5):       # the free port may be taken meanwhile
            self.port = free_port()
            conf = os.path.join(self.dir, 'tinyproxy.conf')
            with open(conf, 'w') as f:
                f.write('Port %d\nListen 127.0.0.1\nTimeout 30\n' % self.port)
                f.write('LogFile "%s"\nLogLevel Info\n' % self.logfile)
                f.write('MaxClients 20\nAllow 127.0.0.1\nDisableViaHeader Yes\n')
                for port in connect_ports:
                    f.write('ConnectPort %d\n' % port)
                if auth:
                    f.write('BasicAuth %s %s\n' % auth)
            self.p = subprocess.Popen([tinyproxy_bin(), '-d', '-c', conf],
                                      stdin=subprocess.DEVNULL,
                                      stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE)
            if self._ready():
                return
            self.stop()
        err = self.p.stderr.read().decode(errors='replace') if self.p else ''
        log = self.log()
        shutil.rmtree(self.dir, ignore_errors=True)
        raise AssertionError('tinyproxy did not start: %s\n%s' % (err.strip(), log))

    def _ready(self, timeout=5):
        end = time.monotonic() + timeout
        while time.monotonic() < end and self.p.poll() is None:
            try:
                socket.create_connection(('127.0.0.1', self.port), 0.2).close()
                return True
            except OSError:
                time.sleep(0.02)
        return False

    def url(self, user=None, password=None):
        cred = '%s:%s@' % (user, password) if user else ''
        return 'http://%s127.0.0.1:%d' % (cred, self.port)

    def log(self):
        try:
            with open(self.logfile, encoding='utf-8', errors='replace') as f:
                return f.read()
        except FileNotFoundError:
            return ''

    def connects(self):
        """host:port of every CONNECT request, in order."""
        return re.findall(r'Request \(file descriptor \d+\): CONNECT (\S+) HTTP/',
                          self.log())

    def wait_connects(self, n, timeout=5):
        end = time.monotonic() + timeout
        while time.monotonic() < end and len(self.connects()) < n:
            time.sleep(0.02)
        return self.connects()

    def stop(self):
        if self.p is not None and self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(5)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def two_events():
    return [event('meeting.started', 1), event('meeting.ended', 2)]


def through_proxy(args=(), extra_env=None, auth=None, url_cred=(), direct=False):
    """zoomws -n 2 with a tinyproxy (credentials auth) for the simulator;
    PROXY in args and extra_env's values stands for the proxy's URL (with
    url_cred). Returns (Run, CONNECTs the proxy saw, the simulator's
    host:port, the proxy's log) once zoomws wrote the two events."""
    evs = two_events()
    with sim() as s, Tinyproxy([s.port], auth=auth) as tp:
        s.ws_scripts = [[('event', e) for e in evs]]
        url = tp.url(*url_cred)
        env = {k: v.replace('PROXY', url) for k, v in (extra_env or {}).items()}
        argv = [a.replace('PROXY', url) for a in args]
        r = Run(['-n', '2', '-v', '-v'] + argv + FAST, s=s, extra_env=env)
        expect_eq(r.wait(), 0, 'exit code (stderr %s)' % r.stderr[-1500:])
        expect_eq(r.lines(), [line(e) for e in evs], 'stdout')
        expect_eq(s.violations, [], 'protocol violations')
        # tinyproxy logs a CONNECT before it opens the tunnel, so by now
        # the log has every one there will be.
        connects = tp.connects() if direct else tp.wait_connects(2)
        return r, connects, '127.0.0.1:%d' % s.port, tp.log()


@test
def proxy_option_tunnels_token_and_websocket():
    r, connects, target, _ = through_proxy(['--proxy', 'PROXY'])
    # One CONNECT for the token request, one for the WebSocket.
    expect_eq(connects, [target, target], 'CONNECTs seen by the proxy')


@test
def https_proxy_variable():
    r, connects, target, _ = through_proxy(extra_env={'HTTPS_PROXY': 'PROXY'})
    expect_eq(connects, [target, target], 'CONNECTs with HTTPS_PROXY')


@test
def https_proxy_lower_case_variable():
    r, connects, target, _ = through_proxy(extra_env={'https_proxy': 'PROXY'})
    expect_eq(connects, [target, target], 'CONNECTs with https_proxy')


@test
def no_proxy_address_connects_directly():
    for env in ({'HTTPS_PROXY': 'PROXY', 'NO_PROXY': '127.0.0.1'},
                {'https_proxy': 'PROXY', 'no_proxy': 'localhost, 127.0.0.1'},
                {'HTTPS_PROXY': 'PROXY', 'NO_PROXY': '*'}):
        r, connects, target, _ = through_proxy(extra_env=env, direct=True)
        expect_eq(connects, [], 'CONNECTs with %r' % env)


@test
def no_proxy_applies_to_the_proxy_option():
    r, connects, target, _ = through_proxy(['--proxy', 'PROXY'], direct=True,
                                           extra_env={'NO_PROXY': '127.0.0.1'})
    expect_eq(connects, [], 'CONNECTs with --proxy and NO_PROXY')


@test
def no_proxy_for_other_hosts_still_proxies():
    r, connects, target, _ = through_proxy(
        extra_env={'HTTPS_PROXY': 'PROXY', 'NO_PROXY': 'example.com,.zoom.us,127.0.0.2'})
    expect_eq(connects, [target, target], 'CONNECTs with NO_PROXY for other hosts')


@test
def basic_credentials_from_the_url():
    r, connects, target, log = through_proxy(['--proxy', 'PROXY'],
                                             auth=(PROXY_USER, PROXY_PASS),
                                             url_cred=(PROXY_USER, PROXY_PASS_URL))
    expect_eq(connects, [target, target], 'CONNECTs with credentials')
    # 407 as a status, not as the milliseconds of a log timestamp
    # (04:03:15.407)
    expect(not re.search(r'(?<![\d.])407(?!\d)', log),
           'the proxy asked for credentials:\n%s', log[-1500:])
    blob = base64.b64encode(('%s:%s' % (PROXY_USER, PROXY_PASS)).encode()).decode()
    for secret in (PROXY_PASS, PROXY_PASS_URL, blob):
        expect(secret not in r.stderr, 'proxy credentials in the log (-v -v):\n%s',
               r.stderr[-2000:])


def failing(tp_ports, auth, url_cred, args=('--max-retries', '2')):
    """zoomws through a tinyproxy that will not let it through; returns
    (exit status, Run, sim, CONNECTs the proxy saw)."""
    with sim() as s, Tinyproxy(tp_ports(s), auth=auth) as tp:
        s.ws_scripts = [[('event', e) for e in two_events()]]
        r = Run(['--proxy', tp.url(*url_cred)] + list(args) + FAST, s=s)
        rc = r.wait()
        return rc, r, s, tp.connects()


@test
def missing_or_wrong_proxy_credentials_reported():
    for cred in ((None, None), (PROXY_USER, 'wrong')):
        rc, r, s, connects = failing(lambda s: [s.port], (PROXY_USER, PROXY_PASS), cred)
        expect_eq(rc, 69, 'exit code with credentials %r (stderr %s)' % (
            cred, r.stderr[-1500:]))
        # tinyproxy before 1.11.2 answers wrong credentials with 401, not
        # 407 (tinyproxy issue 532); the status must reach the log.
        causes = ['proxy wants credentials (407)']
        if cred[0]:
            causes.append('proxy refused CONNECT 127.0.0.1:%d: HTTP 401' % s.port)
        expect(any(c in r.stderr for c in causes),
               'no credentials cause (%r) in the log:\n%s', causes, r.stderr[-2000:])
        expect_eq(connects, ['127.0.0.1:%d' % s.port] * 2, 'CONNECT attempts')
        expect_eq(r.lines(), [], 'stdout')
        expect_eq(s.token_requests, [], 'token requests that reached the server')
        expect('wrong' not in r.stderr, 'the proxy password in the log:\n%s', r.stderr)


@test
def proxy_refusing_connect_reported():
    # tinyproxy allows CONNECT to port 443 only: 403 for the simulator's.
    rc, r, s, connects = failing(lambda s: [443], None, ())
    expect_eq(rc, 69, 'exit code (stderr %s)' % r.stderr[-1500:])
    want = 'proxy refused CONNECT 127.0.0.1:%d: HTTP 403' % s.port
    expect(want in r.stderr, 'no %r in the log:\n%s', want, r.stderr[-2000:])
    expect_eq(s.token_requests, [], 'token requests that reached the server')


@test
def check_names_a_refusing_proxy():
    rc, r, s, connects = failing(lambda s: [443], None, (), args=('--check',))
    expect_eq(rc, 69, 'exit code of --check (stderr %s)' % r.stderr[-1500:])
    expect(re.search(r'^\s*ok\s+configuration\b.*proxy 127\.0\.0\.1', r.stderr, re.M),
           '--check does not name the proxy:\n%s', r.stderr)
    expect('the proxy refused the tunnel' in r.stderr,
           '--check gives no proxy hint:\n%s', r.stderr)
    expect_eq(connects, ['127.0.0.1:%d' % s.port], 'CONNECTs of --check')


@test
def proxy_down_reported():
    with sim() as s:
        port = free_port()           # nothing listens there
        r = Run(['--proxy', 'http://127.0.0.1:%d' % port, '--max-retries', '2'] + FAST,
                s=s)
        expect_eq(r.wait(), 69, 'exit code (stderr %s)' % r.stderr[-1500:])
        expect(str(port) in r.stderr and 'refused' in r.stderr.lower(),
               'the log does not name the proxy and the cause:\n%s', r.stderr[-2000:])
        expect_eq(s.token_requests, [], 'token requests')


main()
