#!/usr/bin/env python3
"""Integration: contrib/zoomws.init started and stopped for real.

The script runs once under dash with Debian's start-stop-daemon and once
under BusyBox (its sh, its start-stop-daemon and every other applet),
with DAEMON pointing at the zoomws under test (ZOOMWS), its files in a
temporary directory and the simulator as Zoom. Checked: start makes
events appear in EVENTS_FILE, status says running, reload (SIGHUP)
re-reads the env file and reconnects, stop ends it with a close 1000
and removes the pidfile; a configuration error makes start fail loudly.
"""
import base64
import os
import pwd
import shutil
import subprocess
import tempfile
import time

from itlib import (EMULATED, ROOT, ZOOMWS, event, expect, expect_eq, line, main, sim,
                   test)

SCRIPT = os.path.join(ROOT, 'contrib', 'zoomws.init')
SBIN = '/usr/local/sbin:/usr/sbin:/sbin'
FAST_ARGS = '--heartbeat 0.2 --backoff-min 0.02 --backoff-max 0.1'
_tools = {}


def need(what, package):
    """./need.sh WHAT PACKAGE, with the sbin directories on PATH."""
    env = dict(os.environ, PATH=os.environ.get('PATH', '/usr/bin:/bin') + ':' + SBIN)
    p = subprocess.run([os.path.join(ROOT, 'need.sh'), what, package], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    expect(p.returncode == 0, 'need.sh %s %s failed: %s', what, package,
           p.stdout.decode(errors='replace'))


def debian_ssd():
    if 'debian' not in _tools:
        path = os.environ.get('PATH', '') + ':' + SBIN
        if shutil.which('start-stop-daemon', path=path) is None:
            need('start-stop-daemon', 'dpkg')
        _tools['debian'] = shutil.which('start-stop-daemon', path=path)
        expect(_tools['debian'], 'no start-stop-daemon after installing dpkg')
    return _tools['debian']


def busybox_bin():
    """A directory of BusyBox applets only, for PATH."""
    if 'busybox' not in _tools:
        if shutil.which('busybox') is None:
            need('busybox', 'busybox')
        d = os.path.join(ROOT, 'build', 'busybox-bin')
        if not os.path.isdir(d):
            os.makedirs(d)
            p = subprocess.run([shutil.which('busybox'), '--install', '-s', d],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            expect(p.returncode == 0, 'busybox --install: %s', p.stdout)
        expect(os.path.exists(os.path.join(d, 'start-stop-daemon')),
               'this BusyBox has no start-stop-daemon applet')
        _tools['busybox'] = d
    return _tools['busybox']


class Init:
    """contrib/zoomws.init with its files under a fresh directory."""

    def __init__(self, flavour, s, args=FAST_ARGS, env_extra=None):
        self.dir = tempfile.mkdtemp(prefix='zoomws-init-')
        os.chmod(self.dir, 0o755)
        self.env_file = os.path.join(self.dir, 'etc', 'zoomws.env')
        self.events = os.path.join(self.dir, 'lib', 'events.ndjson')
        self.log = os.path.join(self.dir, 'log', 'zoomws.log')
        self.pidfile = os.path.join(self.dir, 'run', 'zoomws.pid')
        os.makedirs(os.path.dirname(self.env_file))
        if s is not None:
            self.write_env(s.env())
        e = {'DAEMON': ZOOMWS, 'ENV_FILE': self.env_file,
             'EVENTS_FILE': self.events, 'LOG_FILE': self.log,
             'PIDFILE': self.pidfile, 'DAEMON_ARGS': args,
             'ZOOMWS_DEFAULTS': os.path.join(self.dir, 'no-defaults')}
        for k in ('ASAN_OPTIONS', 'UBSAN_OPTIONS'):
            if k in os.environ:
                e[k] = os.environ[k]
        if flavour == 'debian':
            self.shell = ['dash']
            e['PATH'] = os.environ.get('PATH', '/usr/bin:/bin')
            e['START_STOP_DAEMON'] = debian_ssd()
        else:
            bb = busybox_bin()
            self.shell = [os.path.join(bb, 'sh')]
            e['PATH'] = bb
            e['START_STOP_DAEMON'] = os.path.join(bb, 'start-stop-daemon')
        if env_extra:
            e.update(env_extra)
        self.environ = e

    def write_env(self, keys, mode=0o600):
        with open(self.env_file, 'w') as f:
            f.write('# written by it_initscripts\n')
            for k, v in sorted(keys.items()):
                f.write('%s=%s\n' % (k, v))
        os.chmod(self.env_file, mode)

    def __call__(self, action, timeout=30):
        """Run the script; returns (exit status, stdout + stderr)."""
        p = subprocess.run(self.shell + [SCRIPT, action], env=self.environ,
                           cwd=self.dir, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout)
        return p.returncode, p.stdout.decode('utf-8', 'replace')

    def pid(self):
        with open(self.pidfile) as f:
            return int(f.read().strip())

    def lines(self):
        try:
            with open(self.events, 'rb') as f:
                data = f.read()
        except FileNotFoundError:
            return []
        return [ln.decode('utf-8') for ln in data.split(b'\n')[:-1]]

    def logtext(self):
        try:
            with open(self.log, encoding='utf-8', errors='replace') as f:
                return f.read()
        except FileNotFoundError:
            return ''

    def wait_lines(self, n, timeout=10):
        end = time.monotonic() + timeout
        while time.monotonic() < end and len(self.lines()) < n:
            time.sleep(0.02)
        got = self.lines()
        expect(len(got) >= n, 'wanted %d lines in EVENTS_FILE, got %r; log:\n%s',
               n, got, self.logtext()[-2000:])
        return got

    def wait_log(self, text, timeout=10):
        end = time.monotonic() + timeout
        while time.monotonic() < end and text not in self.logtext():
            time.sleep(0.02)
        expect(text in self.logtext(), 'LOG_FILE never said %r:\n%s', text,
               self.logtext()[-2000:])

    def expect_clean_log(self):
        """Under ASan/UBSan, LOG_FILE is where a report would land."""
        log = self.logtext()
        expect('Sanitizer' not in log and 'runtime error' not in log,
               'sanitizer report in LOG_FILE:\n%s', log[-3000:])

    def cleanup(self):
        """Stop whatever is left (by the pid in PIDFILE only)."""
        try:
            pid = self.pid()
            if os.path.exists('/proc/%d' % pid) and \
                    open('/proc/%d/comm' % pid).read().strip() == 'zoomws':
                os.kill(pid, 9)
        except (OSError, ValueError):
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def gone(pid):
    try:
        with open('/proc/%d/stat' % pid) as f:
            return ') Z ' in f.read()
    except FileNotFoundError:
        return True


def lifecycle(flavour):
    meeting = [event('meeting.started', 1), event('meeting.ended', 2),
               event('meeting.started', 3)]
    other = event('user.created', 9)
    with sim() as s:
        # The reload keeps the connection (nothing it uses changes); the
        # server drops it later, and the short-lived token is fetched
        # again for the reconnect, with the rotated secret.
        s.expires_in = 4
        s.ws_scripts = [[('event', meeting[0]), ('event', other),
                         ('event', meeting[1]), ('sleep', 4.5), ('drop',)],
                        [('event', meeting[2])]]
        # -E's glob must reach zoomws as written, not match files here.
        init = Init(flavour, s, args=FAST_ARGS + " -E meeting.*")
        try:
            open(os.path.join(init.dir, 'meeting.decoy'), 'w').close()
            rc, out = init('status')
            expect_eq((rc, out.strip()), (3, 'zoomws is not running'), 'status before')

            rc, out = init('start')
            expect_eq(rc, 0, 'start exit status (%s)' % out.strip())
            pid = init.pid()
            expect_eq(out.strip(), 'zoomws started (pid %d)' % pid, 'start says')
            expect_eq(running(pid), program(), 'the pid in PIDFILE runs')
            expect_eq(init.wait_lines(2), [line(meeting[0]), line(meeting[1])],
                      'EVENTS_FILE after start')
            expect_eq(os.stat(init.events).st_mode & 0o777, 0o640,
                      'EVENTS_FILE mode (umask 027)')
            init.wait_log('subscription')

            rc, out = init('status')
            expect_eq((rc, out.strip()), (0, 'zoomws is running (pid %d)' % pid), 'status')
            rc, out = init('start')
            expect_eq((rc, out.strip()), (0, 'zoomws is already running (pid %d)' % pid),
                      'second start')
            expect_eq(init.pid(), pid, 'pid after second start')

            # Rotate the secret in the env file, then reload: the next token
            # request must carry the new one.
            env = s.env()
            env['ZOOM_CLIENT_SECRET'] = 'rotated-secret-2'
            init.write_env(env)
            s.client_secret = 'rotated-secret-2'
            n_tok = len(s.token_requests)
            rc, out = init('reload')
            expect_eq((rc, out.strip()),
                      (0, 'zoomws: reloading its configuration (SIGHUP)'), 'reload')
            init.wait_log('SIGHUP: configuration reloaded')
            expect_eq(len(s.connections), 1, 'the reload reconnected')
            expect(s.wait_connections(2, 10), 'no reconnect after the drop; log:\n%s',
                   init.logtext()[-2000:])
            expect_eq(init.wait_lines(3)[2], line(meeting[2]), 'event after reload')
            expect_eq(s.connections[0].close_code, None, 'a close at reload')
            expect(len(s.token_requests) > n_tok, 'no new token after reload')
            want = 'Basic ' + base64.b64encode(
                ('%s:rotated-secret-2' % s.client_id).encode()).decode()
            expect_eq(s.token_requests[-1]['headers'].get('authorization'), want,
                      'Authorization after the secret rotated')
            expect_eq(init.pid(), pid, 'pid after reload')
            expect('SIGHUP: configuration reloaded' in init.logtext(),
                   'log after reload:\n%s', init.logtext()[-2000:])

            rc, out = init('counters')
            expect_eq(rc, 0, 'counters exit status (%s)' % out)
            init.wait_log('counters: uptime')

            t0 = time.monotonic()
            rc, out = init('stop')
            took = time.monotonic() - t0
            expect_eq((rc, out.strip()), (0, 'zoomws stopped'), 'stop')
            expect(took < 5, 'stop took %.1fs', took)
            expect(gone(pid), 'zoomws (pid %d) still running after stop', pid)
            expect(not os.path.exists(init.pidfile), 'PIDFILE left after stop')
            expect(s.wait(lambda: s.connections[1].close_code == 1000, 5),
                   'close code at stop: %r', s.connections[1].close_code)
            expect_eq(s.violations, [], 'protocol violations')
            expect_eq(init.lines(), [line(e) for e in meeting], 'EVENTS_FILE at the end')
            init.expect_clean_log()

            rc, out = init('status')
            expect_eq((rc, out.strip()), (3, 'zoomws is not running'), 'status after stop')
            rc, out = init('stop')
            expect_eq((rc, out.strip()), (0, 'zoomws is not running'), 'second stop')
            rc, out = init('reload')
            expect_eq(rc, 7, 'reload when stopped (%s)' % out.strip())
        finally:
            init.cleanup()



def program():
    """The executable the init script should start."""
    if EMULATED:    # ZOOMWS is tests/cross/TARGET/zoomws, a wrapper
        t = os.environ['ZOOMWS_TARGET']
        return os.path.realpath(os.path.join(ROOT, 'build', t, 'zoomws'))
    return os.path.realpath(ZOOMWS)


def running(pid):
    """The executable process pid runs. Under qemu-user /proc/PID/exe is
    the emulator; the guest program is its first argument."""
    if EMULATED:
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            argv = f.read().split(b'\0')
        return os.path.realpath(argv[1].decode()) if len(argv) > 1 else ''
    return os.path.realpath('/proc/%d/exe' % pid)

@test
def debian_start_status_reload_stop():
    lifecycle('debian')


@test
def busybox_start_status_reload_stop():
    lifecycle('busybox')


def restart(flavour):
    with sim() as s:
        init = Init(flavour, s)
        try:
            expect_eq(init('start')[0], 0, 'start')
            first = init.pid()
            rc, out = init('restart')
            expect_eq(rc, 0, 'restart exit status (%s)' % out)
            second = init.pid()
            expect(second != first, 'same pid after restart')
            expect(gone(first), 'the first zoomws survived restart')
            expect(s.wait_connections(2, 10), 'no second connection')
            expect_eq(s.connections[0].close_code, 1000, 'close code at restart')
            expect_eq(init('stop')[0], 0, 'stop')
            expect(gone(second), 'zoomws still running after stop')
            init.expect_clean_log()
        finally:
            init.cleanup()


@test
def debian_restart():
    restart('debian')


@test
def busybox_restart():
    restart('busybox')


def bad_config(flavour):
    with sim() as s:
        init = Init(flavour, s)
        try:
            env = s.env()
            del env['ZOOM_CLIENT_ID']
            init.write_env(env)
            rc, out = init('start')
            expect_eq(rc, 1, 'start exit status (%s)' % out.strip())
            expect('zoomws failed to start; the end of %s:' % init.log in out,
                   'start says: %r', out)
            expect('ZOOM_CLIENT_ID is not set' in out, 'log tail not shown: %r', out)
            expect(not os.path.exists(init.pidfile), 'PIDFILE left')
            expect_eq(init('status')[0], 3, 'status after a failed start')
            expect_eq(s.connections, [], 'connections')

            os.unlink(init.env_file)
            rc, out = init('start')
            expect_eq((rc, out.strip()),
                      (6, 'zoomws: cannot read %s' % init.env_file), 'no env file')

            init.environ['DAEMON'] = os.path.join(init.dir, 'nothing-here')
            rc, out = init('start')
            expect_eq(rc, 5, 'start without the binary (%s)' % out.strip())
        finally:
            init.cleanup()


@test
def debian_config_error_fails_start():
    bad_config('debian')


@test
def busybox_config_error_fails_start():
    bad_config('busybox')


def stale_pidfile(flavour):
    """A pidfile naming a live process that is not zoomws: status says
    so, start replaces it, and stop leaves that process alone."""
    with sim() as s:
        init = Init(flavour, s)
        other = subprocess.Popen(['sleep', '60'])
        try:
            os.makedirs(os.path.dirname(init.pidfile))
            with open(init.pidfile, 'w') as f:
                f.write('%d\n' % other.pid)
            rc, out = init('status')
            expect_eq((rc, out.strip()),
                      (1, 'zoomws is not running, but %s exists' % init.pidfile),
                      'status with a stale pidfile')
            rc, out = init('stop')
            expect_eq((rc, out.strip()), (0, 'zoomws is not running'), 'stop')
            expect(other.poll() is None, 'stop killed a process that is not zoomws')
            with open(init.pidfile, 'w') as f:
                f.write('%d\n' % other.pid)
            rc, out = init('start')
            expect_eq(rc, 0, 'start over a stale pidfile (%s)' % out.strip())
            expect(init.pid() != other.pid, 'pidfile not replaced')
            expect_eq(init('stop')[0], 0, 'stop')
            expect(other.poll() is None, 'stop killed a process that is not zoomws')
        finally:
            other.kill()
            other.wait()
            init.cleanup()


@test
def debian_stale_pidfile():
    stale_pidfile('debian')


@test
def busybox_stale_pidfile():
    stale_pidfile('busybox')


def run_as_nobody(flavour):
    """RUN_AS: zoomws runs as that user and still writes both files."""
    if os.geteuid() != 0:
        print('# run_as_nobody: not root, skipped')
        return
    evs = [event('meeting.started', 1)]
    with sim() as s:
        s.ws_scripts = [[('event', evs[0])]]
        init = Init(flavour, s, env_extra={'RUN_AS': 'nobody'})
        try:
            init.write_env(s.env(), mode=0o640)
            shutil.chown(init.env_file, group='nogroup')
            for d in ('lib', 'log'):
                os.makedirs(os.path.join(init.dir, d), mode=0o777)
                os.chmod(os.path.join(init.dir, d), 0o777)
            rc, out = init('start')
            expect_eq(rc, 0, 'start exit status (%s)' % out.strip())
            pid = init.pid()
            with open('/proc/%d/status' % pid) as f:
                uid = [ln.split()[1] for ln in f if ln.startswith('Uid:')][0]
            expect_eq(int(uid), pwd.getpwnam('nobody').pw_uid, 'uid of zoomws')
            expect_eq(init.wait_lines(1), [line(evs[0])], 'EVENTS_FILE')
            expect_eq(init('stop')[0], 0, 'stop')
            expect(gone(pid), 'zoomws still running after stop')
        finally:
            init.cleanup()


@test
def debian_run_as_user():
    run_as_nobody('debian')


@test
def busybox_run_as_user():
    run_as_nobody('busybox')


@test
def usage():
    init = Init('debian', None)
    try:
        rc, out = init('frobnicate')
        expect_eq(rc, 2, 'exit status')
        expect(out.startswith('usage: '), 'output %r', out)
    finally:
        init.cleanup()


main()
