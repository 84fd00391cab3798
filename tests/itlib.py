"""itlib: the harness of the integration suites (tests/it_*.py).

A suite defines functions decorated with @test, each of which starts its
own simulator (tests/zoomsim.py) and its own zoomws process, and ends with
`main()`. Every test prints `PASS suite/name` or `FAIL suite/name: why`
(tests/run counts them). ZOOMWS names the binary under test (default
./zoomws); the throwaway CA is made once per run under build/it-certs.
"""
import json
import os
import signal
import subprocess
import sys
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from certs import Certs      # noqa: E402
from zoomsim import Sim      # noqa: E402

ZOOMWS = os.environ.get('ZOOMWS', os.path.join(ROOT, 'zoomws'))
# Set by tests/cross/run: zoomws runs under qemu-user, and what /proc
# shows of the process (exe, environ, VmHWM) is the emulator's.
EMULATED = bool(os.environ.get('ZOOMWS_EMULATOR'))
SUITE = os.path.splitext(os.path.basename(sys.argv[0]))[0]
# Timers that let a reconnect cycle take milliseconds.
FAST = ['--heartbeat', '0.2', '--backoff-min', '0.02', '--backoff-max', '0.1']

_certs = None
_tests = []
_runs = []          # every Run started; main() kills those a test left


def certs():
    global _certs
    if _certs is None:
        d = os.path.join(ROOT, 'build', 'it-certs')
        os.makedirs(d, exist_ok=True)
        _certs = Certs(d)
    return _certs


def sim(**kw):
    """A started simulator with the run's certificates."""
    s = Sim(certs(), **kw)
    s.start()
    return s


def test(fn):
    _tests.append(fn)
    return fn


def event(name, n=0, **payload):
    """A Zoom-shaped event object."""
    obj = {'id': 'obj-%d' % n, 'topic': 'Weekly sync %d' % n}
    obj.update(payload)
    return {'event': name, 'event_ts': 1706123456789 + n,
            'payload': {'account_id': 'AcCt_123', 'object': obj}}


def line(ev):
    """The NDJSON line zoomws must print for an event object."""
    return json.dumps(ev, separators=(',', ':'), ensure_ascii=False)


class Run:
    """One zoomws process. stdout lines and stderr text are collected by
    threads; with slow=True nobody reads stdout until read_all(). wrap is
    a command that execs zoomws, its arguments following."""

    def __init__(self, args=(), env=None, s=None, extra_env=None, slow=False,
                 stdout=None, cwd=None, keep_env=False, wrap=()):
        e = {'PATH': os.environ.get('PATH', '/usr/bin:/bin')}
        for k in ('ASAN_OPTIONS', 'UBSAN_OPTIONS'):
            if k in os.environ:
                e[k] = os.environ[k]
        if s is not None:
            e.update(s.env())
        if env is not None:
            e = dict(env) if keep_env else dict(e, **env)
        if extra_env:
            e.update(extra_env)
        self.args = list(wrap) + [ZOOMWS] + list(args)
        self.env = e
        self._out = []
        self._err = []
        self._raw = bytearray()
        self.t0 = time.monotonic()
        self.p = subprocess.Popen(
            self.args, env=e, cwd=cwd or ROOT, stdin=subprocess.DEVNULL,
            stdout=stdout if stdout is not None else subprocess.PIPE,
            stderr=subprocess.PIPE)
        self._threads = [threading.Thread(target=self._pump_err, daemon=True)]
        if stdout is None and not slow:
            self._threads.append(threading.Thread(target=self._pump_out,
                                                  daemon=True))
        for t in self._threads:
            t.start()
        _runs.append(self)

    def _pump_out(self):
        for chunk in iter(lambda: self.p.stdout.read1(65536), b''):
            self._raw += chunk

    def _pump_err(self):
        for ln in iter(self.p.stderr.readline, b''):
            self._err.append(ln.decode('utf-8', 'replace'))

    def read_all(self):
        """For slow=True: start draining stdout now."""
        t = threading.Thread(target=self._pump_out, daemon=True)
        self._threads.append(t)
        t.start()

    @property
    def raw(self):
        return bytes(self._raw)

    def lines(self):
        data = bytes(self._raw)
        return [ln.decode('utf-8') for ln in data.split(b'\n')[:-1]]

    @property
    def stderr(self):
        return ''.join(self._err)

    def wait_lines(self, n, timeout=10):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if len(self.lines()) >= n:
                return self.lines()
            if self.p.poll() is not None:
                time.sleep(0.05)
                break
            time.sleep(0.01)
        got = self.lines()
        assert len(got) >= n, 'wanted %d lines, got %d: %r\nstderr:\n%s' % (
            n, len(got), got[-3:], self.stderr[-3000:])
        return got

    def wait_stderr(self, text, timeout=10):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if text in self.stderr:
                return
            if self.p.poll() is not None:
                time.sleep(0.05)
                if text in self.stderr:
                    return
                break
            time.sleep(0.01)
        raise AssertionError('stderr never said %r:\n%s' % (text, self.stderr[-3000:]))

    def wait(self, timeout=15):
        try:
            rc = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            raise AssertionError('zoomws still running after %ss; stderr:\n%s'
                                 % (timeout, self.stderr[-3000:]))
        for t in self._threads:
            t.join(5)
        return rc

    def signal(self, sig=signal.SIGTERM):
        self.p.send_signal(sig)

    def counters(self, n):
        """Once n lines are out: SIGUSR1, then SIGTERM. Returns the exit
        code and the counters line the SIGUSR1 logged."""
        self.wait_lines(n)
        self.signal(signal.SIGUSR1)
        self.wait_stderr('counters:')
        self.signal(signal.SIGTERM)
        rc = self.wait()
        return rc, [l for l in self.stderr.splitlines() if 'counters:' in l][0]

    def stop(self):
        if self.p.poll() is None:
            self.p.kill()
        self.wait(5)


def expect(cond, msg, *a):
    if not cond:
        raise AssertionError(msg % a if a else msg)


def expect_eq(got, want, what='value'):
    if got != want:
        raise AssertionError('%s: got %r, want %r' % (what, got, want))


def main():
    only = sys.argv[1:]
    failed = 0
    for fn in _tests:
        if only and fn.__name__ not in only:
            continue
        t0 = time.monotonic()
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - every failure is reported
            failed += 1
            msg = str(e) if isinstance(e, AssertionError) else traceback.format_exc()
            first, _, rest = msg.partition('\n')
            print('FAIL %s/%s: %s' % (SUITE, fn.__name__, first))
            if rest:
                print('\n'.join('    ' + r for r in rest.splitlines()[-40:]))
        else:
            print('PASS %s/%s (%.2fs)' % (SUITE, fn.__name__, time.monotonic() - t0))
        sys.stdout.flush()
        # A test that failed half-way leaves its zoomws running: end it
        # here, not when CI's time runs out.
        while _runs:
            r = _runs.pop()
            if r.p.poll() is None:
                r.p.kill()
                r.p.wait()
    sys.exit(1 if failed else 0)
