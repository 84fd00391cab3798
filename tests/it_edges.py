#!/usr/bin/env python3
"""Integration: the edges where a deployment lives for months.

Whole lines whatever happens to the output (a reader that stops, a full
disk, a reader that goes away), reconnection that matches what happened,
configuration that can never work refused at once, reload and signals in
every phase, what operators see (--check and a running instance, the
cron line's lock, syslog without a daemon, messages with the size and
the fix, env files and secret files as they come), the command line's
words, and the protocol details the peer suites found.
"""
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from itlib import (EMULATED, FAST, ROOT, ZOOMWS, Run, event, expect, expect_eq,
                   line, main, sim, test)

# A heartbeat that never comes during a test: a connection's success must
# then come from its events, not from a heartbeat answer.
SLOW_HB = ['--heartbeat', '5', '--backoff-min', '0.02', '--backoff-max', '0.05']


def counted(stderr, what='written'):
    """The N of the last 'exiting (C): N event(s) written' line."""
    m = re.findall(r'exiting \(\d+\): (\d+) events? written', stderr)
    return int(m[-1]) if m else None


def whole_lines(raw):
    """The output as lines: each one whole JSON, the whole ending in a
    newline."""
    expect(raw == b'' or raw.endswith(b'\n'), 'output ends mid-line: ...%r', raw[-60:])
    lines = raw.split(b'\n')[:-1]
    for i, ln in enumerate(lines):
        try:
            json.loads(ln)
        except ValueError:
            raise AssertionError('line %d is not whole JSON: %r' % (i, ln[:80]))
    return lines


def can_unshare():
    try:
        subprocess.run(['unshare', '-m' if os.geteuid() == 0 else '-rm', 'true'],
                       check=True, capture_output=True)
        return True
    except (OSError, subprocess.CalledProcessError):
        return False


# ---- output integrity ----------------------------------------------------

@test
def sigterm_with_a_stalled_reader_writes_no_cut_line():
    big = 'x' * 900
    evs = [event('meeting.participant_joined', i, pad=big) for i in range(3000)]
    with sim() as s:
        s.ws_scripts = [[('event', e) for e in evs] + [('hold',)]]
        r = Run(FAST, s=s, slow=True)
        # the pipe and the output queue fill; nobody reads
        s.wait(lambda: s.connections[0].events_sent >= 500, 10)
        time.sleep(0.5)
        t0 = time.monotonic()
        r.signal(signal.SIGTERM)
        rc = r.wait(5)
        took = time.monotonic() - t0
        r.read_all()
        time.sleep(0.3)
        expect_eq(rc, 0, 'exit code')
        expect(took < 2.5, 'took %.2f s to stop', took)
        lines = whole_lines(r.raw)
        expect(len(lines) < 3000, 'the stalled reader got everything')
        expect_eq([ln.decode() for ln in lines], [line(e) for e in evs[:len(lines)]],
                  'the lines written, in order')
        expect_eq(counted(r.stderr), len(lines), 'events written in the log')
        m = re.search(r'(\d+) events? received but not written', r.stderr)
        expect(m is not None, 'no count of what was not written:\n%s', r.stderr[-2000:])


def _fill_and_check(wrap, outfile, want_word, env_extra=None, preexec=None):
    """zoomws -n 5000 >> outfile on an output that fills up: exit 74 with
    the cause named, the file whole lines only, the count in the log the
    lines in the file."""
    big = 'y' * 900
    evs = [event('meeting.participant_joined', i, pad=big) for i in range(400)]
    with sim() as s:
        s.ws_scripts = [[('event', e) for e in evs] + [('hold',)]]
        args = list(wrap) + [ZOOMWS, '-n', '400'] + FAST
        env = dict(s.env(), PATH=os.environ.get('PATH', '/usr/bin:/bin'))
        env.update(env_extra or {})
        p = subprocess.run(args, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=30, preexec_fn=preexec)
        err = p.stderr.decode('utf-8', 'replace')
        expect_eq(p.returncode, 74, 'exit code:\n' + err[-2000:])
        expect(want_word in err, 'cause not named (%s):\n%s', want_word, err[-2000:])
        with open(outfile, 'rb') as f:
            data = f.read()
        lines = whole_lines(data)
        expect(0 < len(lines) < 400, '%d lines', len(lines))
        expect_eq(counted(err), len(lines), 'events written in the log')


@test
def a_file_that_cannot_grow_ends_on_a_whole_line():
    # RLIMIT_FSIZE: a write fails part way (EFBIG), as on a full disk
    d = tempfile.mkdtemp()
    out = os.path.join(d, 'events.ndjson')
    wrap = ['sh', '-c', 'exec "$@" >>"%s"' % out, 'sh']
    _fill_and_check(wrap, out, 'File too large', preexec=lambda: resource.setrlimit(
        resource.RLIMIT_FSIZE, (150000, 150000)))
    # the next run appends after a whole line
    with open(out, 'rb') as f:
        expect(f.read().endswith(b'\n'), 'file does not end on a newline')


@test
def a_full_disk_is_named_and_the_file_ends_on_a_whole_line():
    if os.geteuid() != 0 or not can_unshare():
        print('# a_full_disk_...: no mount namespace here; the RLIMIT_FSIZE '
              'test stands for it')
        return
    d = tempfile.mkdtemp()
    keep = os.path.join(d, 'copy.ndjson')
    mnt = os.path.join(d, 'small')
    os.mkdir(mnt)
    script = ('mount -t tmpfs -o size=160k tmpfs "$1" && shift && '
              '"$@" >>"%s/events.ndjson"; rc=$?; cp "%s/events.ndjson" "%s"; '
              'exit $rc' % (mnt, mnt, keep))
    _fill_and_check(['unshare', '-m', 'sh', '-c', script, 'sh', mnt], keep,
                    'No space left on device')


@test
def appending_to_a_file_cut_short_adds_a_newline():
    d = tempfile.mkdtemp()
    out = os.path.join(d, 'events.ndjson')
    with open(out, 'wb') as f:
        f.write(b'{"event":"old"}\n{"event":"cut sh')
    ev = event('meeting.started', 1)
    with sim() as s, open(out, 'ab') as f:
        s.ws_scripts = [[('event', ev)]]
        r = Run(['-n', '1'] + FAST, s=s, stdout=f)
        expect_eq(r.wait(), 0, 'exit code')
    with open(out, 'rb') as f:
        data = f.read()
    expect_eq(data, b'{"event":"old"}\n{"event":"cut sh\n' + line(ev).encode() + b'\n',
              'file')
    expect('did not end with a newline' in r.stderr, 'no warning:\n%s', r.stderr)


@test
def a_reader_that_goes_away_is_noticed_at_once():
    # zoomws | head -n 1 on a quiet subscription
    with sim() as s:
        s.ws_scripts = [[('event', event('meeting.started', 1)), ('hold',)]]
        rd, wr = os.pipe()
        r = Run(FAST, s=s, stdout=wr)
        os.close(wr)
        with os.fdopen(rd, 'rb') as f:
            first = f.readline()
        # the reader is gone
        t0 = time.monotonic()
        rc = r.wait(5)
        expect_eq(rc, 74, 'exit code')
        expect(time.monotonic() - t0 < 2, 'took %.2f s', time.monotonic() - t0)
        expect(json.loads(first)['event'] == 'meeting.started', 'first line %r', first)
        expect('reader went away' in r.stderr, 'no message:\n%s', r.stderr)


@test
def a_closed_stdout_is_said_on_stderr():
    with sim() as s:
        p = subprocess.run([ZOOMWS, '-n', '1'] + FAST, env=s.env(),
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           timeout=10, preexec_fn=lambda: os.close(1))
        expect_eq(p.returncode, 74, 'exit code')
        expect(b'stdout is closed' in p.stderr, 'no message: %r', p.stderr)
        # --check writes nothing to stdout: it does not need one
        p = subprocess.run([ZOOMWS, '--check'], env=s.env(), stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=20,
                           preexec_fn=lambda: os.close(1))
        expect_eq(p.returncode, 0, '--check exit code:\n%s' % p.stderr.decode())


# ---- reconnection ---------------------------------------------------------

@test
def connections_that_delivered_events_are_successes():
    # Each connection delivers 10 events over half a second and is closed
    # by the server; no heartbeat is answered in that time. --max-retries
    # counts failed attempts in a row: these are not.
    with sim() as s:
        s.ws_scripts = [[('event', event('meeting.started', 10 * k + i))
                         for i in range(10)] +
                        [('sleep', 0.3), ('close', 1001, 'going away')]
                        for k in range(6)]
        r = Run(['-n', '60', '--max-retries', '2'] + SLOW_HB, s=s)
        expect_eq(r.wait(20), 0, 'exit code:\n' + r.stderr[-2000:])
        expect_eq(len(r.lines()), 60, 'events')
        delays = [float(x) for x in re.findall(r'reconnecting in ([\d.]+)s', r.stderr)]
        expect(delays and max(delays) <= 0.02 + 1e-9,
               'delays grew after successes: %r', delays)


@test
def a_subscription_open_a_while_is_a_success():
    # Open 11 s without an event or a heartbeat answer, then closed by
    # the server: past the threshold (10 s), a success all the same.
    with sim() as s:
        s.answer_heartbeats = False
        s.ws_scripts = [[('sleep', 10.6), ('close', 1001, 'going away')],
                        [('event', event('meeting.ended', 1))]]
        r = Run(['-n', '1', '--max-retries', '1', '--heartbeat', '5',
                 '--idle-timeout', '20'], s=s)
        expect_eq(r.wait(25), 0, 'exit code:\n' + r.stderr[-2000:])


@test
def backoff_min_is_a_minimum():
    with sim() as s:
        s.token_faults = [{'status': 500}] * 20
        r = Run(['--backoff-min', '0.3', '--backoff-max', '0.6', '--max-retries', '5'],
                s=s)
        expect_eq(r.wait(15), 69, 'exit code')
        delays = [float(x) for x in re.findall(r'reconnecting in ([\d.]+)s', r.stderr)]
        expect_eq(len(delays), 4, 'delays: %r' % delays)
        expect(all(0.3 <= d <= 0.6 for d in delays), 'delays outside [0.3, 0.6]: %r',
               delays)
        times = [t['time'] for t in s.token_requests]
        gaps = [b - a for a, b in zip(times, times[1:])]
        expect(min(gaps) >= 0.29, 'attempts %r apart', gaps)
    r = Run(['--help'])
    r.wait()
    expect('random between min and a cap' in r.raw.decode(), '--help:\n%s',
           r.raw.decode())


@test
def a_proxy_that_is_not_http_is_a_configuration_error():
    for var, url in (('HTTPS_PROXY', 'socks5://127.0.0.1:1080'),
                     ('https_proxy', 'https://proxy.example:3128')):
        with sim() as s:
            r = Run(['--max-retries', '1'] + FAST, s=s, extra_env={var: url})
            expect_eq(r.wait(5), 78, 'exit code for %s' % var)
            scheme = url.split('://')[0]
            expect(var in r.stderr and scheme + '://' in r.stderr,
                   'message names neither %s nor %s:\n%s', var, scheme, r.stderr)
            expect_eq(len(s.token_requests), 0, 'token requests')
    with sim() as s:
        r = Run(['--proxy', 'socks5h://user:secret@127.0.0.1:1080', '--max-retries', '1']
                + FAST, s=s)
        expect_eq(r.wait(5), 78, 'exit code for --proxy')
        expect('--proxy' in r.stderr and 'secret' not in r.stderr,
               'message:\n%s', r.stderr)


@test
def an_idle_timeout_below_the_heartbeat_is_a_usage_error():
    with sim() as s:
        r = Run(['--heartbeat', '5', '--idle-timeout', '2'], s=s)
        expect_eq(r.wait(5), 64, 'exit code')
        expect(r.stderr.startswith('zoomws: --idle-timeout') and '--heartbeat' in r.stderr,
               'message:\n%s', r.stderr)
        r = Run(['--idle-timeout', '10'], s=s)      # the heartbeat's default: 25
        expect_eq(r.wait(5), 64, 'exit code with the default heartbeat')


# ---- reload and signals -----------------------------------------------------

@test
def after_sighup_the_environment_still_wins_over_the_file():
    # The reload keeps the connection (nothing it uses changed); the
    # token, short-lived here, is fetched again at the reconnect after the
    # server's drop: with the environment's secret, not the file's.
    d = tempfile.mkdtemp()
    path = os.path.join(d, 'zoomws.env')
    with open(path, 'w') as f:
        f.write('ZOOM_CLIENT_SECRET=an-old-secret-in-the-file\n')
    os.chmod(path, 0o600)
    e1, e2 = event('meeting.started', 1), event('meeting.ended', 2)
    with sim() as s:
        s.expires_in = 1
        s.ws_scripts = [[('event', e1), ('sleep', 1.5), ('drop',)],
                        [('event', e2), ('hold',)]]
        r = Run(['--env-file', path, '-n', '2'] + FAST, s=s)
        r.wait_lines(1)
        r.signal(signal.SIGHUP)
        r.wait_stderr('SIGHUP: configuration reloaded')
        expect_eq(r.wait(10), 0, 'exit code:\n' + r.stderr)
        expect_eq(r.lines(), [line(e1), line(e2)], 'stdout')
        import base64
        want = 'Basic ' + base64.b64encode(
            ('%s:%s' % (s.client_id, s.client_secret)).encode()).decode()
        expect_eq([t['headers'].get('authorization') for t in s.token_requests],
                  [want, want], 'the secret of the environment, twice')


def _proxy_env_file(path, text):
    with open(path, 'w') as f:
        f.write(text)
    os.chmod(path, 0o600)


@test
def a_rejected_reload_keeps_the_proxy_settings():
    # The environment names a proxy that is not there; the env file's
    # NO_PROXY sends 127.0.0.1 around it. A reload that is refused (the
    # file moved away, or broken) must leave NO_PROXY in use: the
    # reconnect after it still goes direct.
    dead = socket.socket()
    dead.bind(('127.0.0.1', 0))
    dead_port = dead.getsockname()[1]
    dead.close()
    for broken in ('moved', 'syntax'):
        d = tempfile.mkdtemp()
        path = os.path.join(d, 'zoomws.env')
        _proxy_env_file(path, 'NO_PROXY=127.0.0.1\n')
        e1, e2 = event('meeting.started', 1), event('meeting.ended', 2)
        with sim() as s:
            s.ws_scripts = [[('event', e1), ('wait_heartbeats', 3), ('drop',)],
                            [('event', e2), ('hold',)]]
            r = Run(['--env-file', path, '-n', '2'] + FAST, s=s,
                    extra_env={'HTTPS_PROXY': 'http://127.0.0.1:%d' % dead_port})
            r.wait_lines(1)
            if broken == 'moved':
                os.rename(path, path + '.moved')
            else:
                _proxy_env_file(path, 'HTTPS_PROXY=http://127.0.0.1:1\nnot a line\n')
            r.signal(signal.SIGHUP)
            r.wait_stderr('not reloaded')
            expect_eq(r.wait(10), 0, '%s: exit code:\n%s' % (broken, r.stderr[-2000:]))
            expect_eq(r.lines(), [line(e1), line(e2)], '%s: stdout' % broken)
            expect('proxy' not in r.stderr.split('not reloaded', 1)[1],
                   '%s: a proxy used after the refused reload:\n%s', broken, r.stderr)


@test
def sigusr1_is_answered_while_connecting_and_waiting_for_the_token():
    with sim() as s:
        s.token_faults = [{'delay': 3}]
        s.ws_scripts = [[('event', event('meeting.started', 1)), ('hold',)]]
        r = Run(['--idle-timeout', '10'] + FAST, s=s)
        s.wait(lambda: len(s.token_requests) >= 1, 5)
        time.sleep(0.3)
        t0 = time.monotonic()
        r.signal(signal.SIGUSR1)
        r.wait_stderr('counters:', 2)
        expect(time.monotonic() - t0 < 1.5, 'counters %.2f s late',
               time.monotonic() - t0)
        ln = [l for l in r.stderr.splitlines() if 'counters:' in l][0]
        expect('last event never' in ln and 'never ago' not in ln, 'line: %r', ln)
        r.wait_lines(1, 10)
        r.signal(signal.SIGTERM)
        expect_eq(r.wait(), 0, 'exit code')
        expect_eq(len(s.token_requests), 1, 'token requests: the wait was not cut')
        expect('interrupted' not in r.stderr, 'an attempt interrupted:\n%s', r.stderr)
    with sim() as s:
        s.conn_faults = ['tls_hang']        # the token connection's handshake
        r = Run(['--heartbeat', '2'] + FAST[2:], s=s)
        time.sleep(0.5)
        r.signal(signal.SIGUSR1)
        r.wait_stderr('counters:', 2)
        r.signal(signal.SIGTERM)
        expect_eq(r.wait(), 0, 'exit code')
        expect('interrupted' not in r.stderr, 'an attempt interrupted:\n%s', r.stderr)


def _silent_dns(d):
    """Two resolv.conf files naming a DNS server on 127.0.0.x:53 that
    reads queries and never answers, with the resolver's own timeouts
    (seconds) and with one of a second; and the socket (keep it open)."""
    for last in range(77, 99):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(('127.0.0.%d' % last, 53))
        except OSError:
            u.close()
            continue
        confs = []
        for name, opts in (('slow.conf', ''), ('quick.conf', 'options timeout:1 attempts:1\n')):
            confs.append(os.path.join(d, name))
            with open(confs[-1], 'w') as f:
                f.write('nameserver 127.0.0.%d\n%s' % (last, opts))
        return u, confs
    raise AssertionError('no free 127.0.0.x:53')


@test
def sigterm_during_a_dns_lookup_and_a_silent_dns_server():
    if os.geteuid() != 0 or not can_unshare():
        print('# sigterm_during_a_dns_lookup: needs root and a mount namespace')
        return
    d = tempfile.mkdtemp()
    u, (slow, quick) = _silent_dns(d)

    def wrap(conf):
        return ['unshare', '-m', 'sh', '-c',
                'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"', 'sh', conf]
    try:
        with sim() as s:
            env = {'ZOOM_OAUTH_URL': 'https://zoom.invalid.example:%d/oauth/token' % s.port}
            # A lookup in progress: SIGTERM ends it at once, whatever the
            # resolver's own timeouts.
            r = Run(FAST, s=s, extra_env=env, wrap=wrap(slow))
            time.sleep(0.6)
            t0 = time.monotonic()
            r.signal(signal.SIGTERM)
            expect_eq(r.wait(5), 0, 'exit code')
            expect(time.monotonic() - t0 < 2, 'took %.2f s', time.monotonic() - t0)
            # A server that never answers is named as such.
            r = Run(['--max-retries', '1'] + FAST, s=s, extra_env=env, wrap=wrap(quick))
            expect_eq(r.wait(15), 69, 'exit code')
            expect('no answer from the DNS server' in r.stderr and 'Try again'
                   not in r.stderr, 'message:\n%s', r.stderr)
    finally:
        u.close()


# ---- what operators see ---------------------------------------------------

@test
def check_leaves_a_running_instance_alone():
    d = tempfile.mkdtemp()
    lock = os.path.join(d, 'zoomws.lock')
    with sim() as s:
        a = Run(['--lock', lock] + FAST, s=s)
        s.wait(lambda: s.connections and s.connections[0].build is not None, 5)
        r = Run(['--check', '--lock', lock], s=s)
        expect_eq(r.wait(20), 0, 'exit code:\n' + r.stderr)
        expect('is held' in r.stderr and 'skip' in r.stderr, 'report:\n%s', r.stderr)
        expect_eq(len(s.connections), 1, 'WebSocket connections: the check upgraded')
        expect(s.connections[0].ended is None, 'the running instance was disconnected')
        a.signal(signal.SIGTERM)
        expect_eq(a.wait(), 0, 'running instance')
        # no lock: the report says the subscription is taken over
        r = Run(['--check'], s=s)
        expect_eq(r.wait(20), 0, 'exit code')
        expect('take the subscription over' in r.stderr, 'report:\n%s', r.stderr)


@test
def a_held_lock_is_the_normal_case_of_a_cron_line():
    d = tempfile.mkdtemp()
    lock = os.path.join(d, 'zoomws.lock')
    with sim() as s:
        a = Run(['--lock', lock] + FAST, s=s)
        s.wait_connections(1, 5)
        b = Run(['--lock', lock] + FAST, s=s)
        expect_eq(b.wait(5), 75, 'exit code')
        expect(' info ' in b.stderr and ' error ' not in b.stderr, 'stderr:\n%s', b.stderr)
        b = Run(['-q', '--lock', lock] + FAST, s=s)
        expect_eq(b.wait(5), 75, 'exit code with -q')
        expect_eq(b.stderr, '', 'stderr with -q')
        a.signal(signal.SIGTERM)
        a.wait()
        # a lock file of root's, mode 0644, still serves another user
        if os.geteuid() == 0:
            os.chmod(lock, 0o644)
            os.chmod(d, 0o755)
            os.chmod(s.env()['SSL_CERT_FILE'], 0o644)
            env = dict(s.env(), PATH=os.environ.get('PATH', '/usr/bin:/bin'))
            p = subprocess.run([ZOOMWS, '--lock', lock, '-t', '0.3'] + FAST, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               timeout=10, cwd=d,
                               preexec_fn=lambda: (os.setgid(65534), os.setuid(65534)))
            expect_eq(p.returncode, 0, 'as nobody:\n%s' % p.stderr.decode())


@test
def syslog_without_a_daemon_still_shows_fatal_errors():
    if not can_unshare():
        print('# syslog_without_a_daemon: no mount namespace here')
        return
    ns = ('set -e; old=$(mktemp -d); mount --rbind /dev "$old"; '
          'mount -t tmpfs -o mode=755 tmpfs /dev; '
          'for f in "$old"/*; do [ "$f" = "$old/log" ] || ln -s "$f" /dev/; done; '
          'exec "$@"')
    wrap = ['unshare', '-m' if os.geteuid() == 0 else '-rm', 'sh', '-c', ns, 'sh']
    r = Run(['--syslog'], env={'ZOOM_CLIENT_SECRET': 'x', 'ZOOM_SUBSCRIPTION_ID': 's'},
            wrap=wrap)
    expect_eq(r.wait(15), 78, 'exit code')
    expect('ZOOM_CLIENT_ID is not set' in r.stderr, 'stderr:\n%s', r.stderr)


@test
def an_oversized_message_is_a_warning_with_the_size_and_the_fix():
    ev = event('meeting.started')
    with sim() as s:
        s.ws_scripts = [[('event', event('recording.completed', pad='z' * 6000))],
                        [('event', ev)]]
        r = Run(['-n', '1', '--max-message', '4k'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code')
        warn = [l for l in r.stderr.splitlines() if ' warn ' in l and '--max-message' in l]
        expect(warn and '4096' in warn[0] and re.search(r'\b6\d\d\d bytes', warn[0]),
               'warning:\n%s', r.stderr)


@test
def out_of_memory_and_descriptors_are_not_configuration_errors():
    # (ASan and QEMU reserve address space of their own: no ulimit -v)
    plain = not EMULATED and 'asan' not in ZOOMWS
    with sim() as s:
        r = Run(['--max-message', '512m'] + FAST, s=s, wrap=[
            'sh', '-c', 'ulimit -v 300000 && exec "$@"', 'sh'])
        rc = r.wait(10)
        if plain:
            expect_eq(rc, 71, 'exit code under ulimit -v:\n' + r.stderr)
            expect('--max-message' in r.stderr, 'message:\n%s', r.stderr)
        # descriptors: 0-2, the signal pipe, then the env file fails
        d = tempfile.mkdtemp()
        path = os.path.join(d, 'zoomws.env')
        _proxy_env_file(path, 'ZOOM_SUBSCRIPTION_ID=s\n')
        if not plain:
            return
        r = Run(['--env-file', path] + FAST, s=s,
                wrap=['sh', '-c', 'ulimit -n 5 && exec "$@"', 'sh'])
        rc = r.wait(10)
        expect(rc != 78, 'exit 78 for a resource exhausted:\n%s', r.stderr)
        expect_eq(rc, 71, 'exit code under ulimit -n:\n' + r.stderr)


@test
def an_implicit_env_file_that_does_not_parse_is_left_out():
    d = tempfile.mkdtemp()
    with open(os.path.join(d, '.env'), 'w') as f:
        f.write('API_KEY="multi\nline value"\n')
    ev = event('meeting.started')
    with sim() as s:
        s.ws_scripts = [[('event', ev)]]
        r = Run(['-n', '1'] + FAST, s=s, cwd=d)
        expect_eq(r.wait(), 0, 'exit code:\n' + r.stderr)
        expect('.env' in r.stderr and 'ignored' in r.stderr, 'no warning:\n%s', r.stderr)
        # named with --env-file, it must load
        r = Run(['-n', '1', '--env-file', os.path.join(d, '.env')] + FAST, s=s)
        expect_eq(r.wait(), 78, 'exit code for --env-file')


@test
def env_files_that_are_not_regular_files_draw_no_mode_warning():
    d = tempfile.mkdtemp()
    with sim() as s:
        r = Run(['-t', '0.3', '--env-file', '/dev/null'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code with /dev/null')
        expect('readable by others' not in r.stderr, 'warning for /dev/null:\n%s',
               r.stderr)
        r = Run(['-t', '0.3', '--env-file', d] + FAST, s=s)
        expect_eq(r.wait(), 78, 'exit code for a directory')
        expect('directory' in r.stderr and 'readable by others' not in r.stderr,
               'message:\n%s', r.stderr)


@test
def a_shared_env_file_with_many_keys_is_fine():
    d = tempfile.mkdtemp()
    path = os.path.join(d, 'shared.env')
    ev = event('meeting.started')
    with sim() as s:
        env = s.env()
        secret = env.pop('ZOOM_CLIENT_SECRET')
        with open(path, 'w') as f:
            for i in range(600):
                f.write('OTHER_APP_KEY_%d=value %d\n' % (i, i))
            f.write('ZOOM_CLIENT_SECRET=%s\n' % secret)
        os.chmod(path, 0o600)
        s.ws_scripts = [[('event', ev)]]
        r = Run(['-n', '1', '--env-file', path] + FAST, env=env)
        expect_eq(r.wait(), 0, 'exit code:\n' + r.stderr)


@test
def secret_files_are_trimmed_and_named_in_the_hint():
    d = tempfile.mkdtemp()
    ev = event('meeting.started')
    with sim() as s:
        for name, data in (('space', s.client_secret + ' \n'),
                           ('crlf', s.client_secret + '\r\n'),
                           ('bom', '\ufeff' + s.client_secret + '\n')):
            path = os.path.join(d, name)
            with open(path, 'w', encoding='utf-8', newline='') as f:
                f.write(data)
            env = s.env()
            del env['ZOOM_CLIENT_SECRET']
            env['ZOOM_CLIENT_SECRET_FILE'] = path
            s.ws_scripts = [[('event', ev)]]
            r = Run(['-n', '1'] + FAST, env=env)
            expect_eq(r.wait(), 0, '%s: exit code:\n%s' % (name, r.stderr))
            expect('ZOOM_CLIENT_SECRET_FILE' in r.stderr and 'removed' in r.stderr,
                   '%s: no warning:\n%s', name, r.stderr)
        path = os.path.join(d, 'wrong')
        with open(path, 'w') as f:
            f.write('not-the-secret\n')
        env['ZOOM_CLIENT_SECRET_FILE'] = path
        r = Run(['-n', '1'] + FAST, env=env)
        expect_eq(r.wait(), 77, 'exit code')
        err = [l for l in r.stderr.splitlines() if ' error ' in l]
        expect(err and 'ZOOM_CLIENT_SECRET_FILE' in err[0] and path in err[0],
               'hint:\n%s', r.stderr)


# ---- the command line -----------------------------------------------------

@test
def command_line_messages_say_zoomws_and_what_is_wrong():
    cases = [(['--bogus'], 'zoomws: unknown option --bogus'),
             (['-Z'], 'zoomws: unknown option -Z'),
             (['--env-file'], 'zoomws: option --env-file needs a value'),
             (['--max-message', '2g'], 'zoomws: --max-message: too large'),
             (['--max-message', '1000'], 'zoomws: --max-message: too small'),
             (['-n', '0'], 'zoomws: --max-events: too small'),
             (['--max-retries', '99999999999'], 'zoomws: --max-retries: too large'),
             (['-t', '99999999'], 'zoomws: --duration: too large'),
             (['--max-message', '4x'], 'zoomws: --max-message: not a number')]
    for args, want in cases:
        r = Run(args, env={})
        expect_eq(r.wait(), 64, 'exit code for %r' % args)
        expect(r.stderr.startswith(want), 'for %r: %r', args, r.stderr)
    for size in ('4m', '4M', '4MiB', '1g', '1G', '64k', '64K', '65536'):
        r = Run(['--max-message', size, '--env-file', '/nonexistent'], env={})
        expect_eq(r.wait(), 78, '--max-message %s accepted' % size)


@test
def counts_of_one_are_singular():
    with sim() as s:
        s.ws_scripts = [[('event', event('meeting.started'))]]
        r = Run(['-n', '1'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code')
        expect('1 event written' in r.stderr, 'stderr:\n%s', r.stderr)
    with sim() as s:
        s.token_faults = [{'status': 500}] * 3
        r = Run(['--max-retries', '1'] + FAST, s=s)
        expect_eq(r.wait(), 69, 'exit code')
        expect('after 1 failed attempt in a row' in r.stderr, 'stderr:\n%s', r.stderr)


# ---- protocol details -------------------------------------------------------

@test
def an_upgrade_naming_a_subprotocol_not_asked_for_fails():
    bad, good = event('meeting.started', 1), event('meeting.ended', 2)
    with sim() as s:
        s.ws_scripts = [[('upgrade', {'extra': {'Sec-WebSocket-Protocol': 'chat'}}),
                         ('event', bad)],
                        [('event', good)]]
        r = Run(['-n', '1'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code')
        expect_eq(r.lines(), [line(good)], 'stdout')
        expect('subprotocol' in r.stderr, 'stderr:\n%s', r.stderr)


@test
def an_event_is_an_object_however_it_is_carried():
    good = event('meeting.started')
    with sim() as s:
        s.ws_scripts = [[('text', '{"module":"message","content":"42","header":{}}'),
                         ('text', '{"module":"message","content":"[1,2]","header":{}}'),
                         ('text', '{"module":"message","content":42,"header":{}}'),
                         ('event', good)]]
        r = Run(['-n', '1'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code')
        expect_eq(r.lines(), [line(good)], 'stdout')
        expect_eq(r.stderr.count('not a JSON object'), 3, 'logged:\n' + r.stderr)


def _nested(depth):
    """An event whose nesting is depth levels, itself included."""
    inner = '0'
    for _ in range(depth - 1):
        inner = '[%s]' % inner
    return '{"event":"x","p":%s}' % inner


@test
def the_nesting_limit_is_the_same_in_both_carriages():
    with sim() as s:
        ok, deep = _nested(64), _nested(65)
        s.ws_scripts = [[('text', '{"module":"message","content":%s,"header":{}}' % ok),
                         ('event', ok),
                         ('text', '{"module":"message","content":%s,"header":{}}' % deep),
                         ('event', deep), ('event', event('meeting.ended'))]]
        r = Run(['-n', '3'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code:\n' + r.stderr)
        expect_eq(r.lines(), [ok, ok, line(event('meeting.ended'))], 'stdout')
        expect_eq(r.stderr.count('nested deeper than 64 levels'), 2,
                  'the limit named twice:\n' + r.stderr)


if __name__ == '__main__':
    main()
