#!/usr/bin/env python3
"""Integration: active/standby across hosts under etcd's lock.

A local etcd (Debian's etcd-server), two holders of `etcdctl lock
zoomws-SUB -- zoomws ...` (etcd-client) against the simulator, whose one
subscription streams events with increasing ids and their send times.
The active zoomws and its etcdctl are killed with SIGKILL, as a host that
dies; the standby's etcdctl gets the lock when the dead one's lease runs
out and starts its zoomws, which takes the subscription over. Measured:
the takeover time and the gap in the events; checked: no event written
twice, and the standby's events follow on.
"""
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

from itlib import (ZOOMWS, expect, expect_eq, main, sim, test)

TTL = 2                 # seconds of the lock's lease


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Etcd:
    """A one-member etcd cluster on 127.0.0.1 in a temporary directory."""

    def __init__(self):
        self.etcd = shutil.which('etcd')
        self.ctl = shutil.which('etcdctl')
        if self.etcd is None or self.ctl is None:
            raise AssertionError('etcd and etcdctl are not installed (make test '
                                 'installs etcd-server and etcd-client)')
        self.dir = tempfile.mkdtemp(prefix='zoomws-etcd-')
        cport, pport = free_port(), free_port()
        self.url = 'http://127.0.0.1:%d' % cport
        peer = 'http://127.0.0.1:%d' % pport
        self.log = open(os.path.join(self.dir, 'etcd.log'), 'w')
        self.p = subprocess.Popen(
            [self.etcd, '--name', 't', '--data-dir', os.path.join(self.dir, 'data'),
             '--listen-client-urls', self.url, '--advertise-client-urls', self.url,
             '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
             '--initial-cluster', 't=' + peer],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        end = time.monotonic() + 20
        while time.monotonic() < end:
            if subprocess.run(self.ctl_argv('endpoint', 'health'),
                              capture_output=True).returncode == 0:
                return
            time.sleep(0.2)
        self.stop()
        raise AssertionError('etcd did not start')

    def ctl_argv(self, *args):
        return [self.ctl, '--endpoints', self.url] + list(args)

    def stop(self):
        self.p.kill()
        self.p.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Stream:
    """A simulator script that streams events forever, ids counting up
    across connections, each with its send time in event_ts."""

    counter = itertools.count()

    def __init__(self, rate):
        self.period = 1.0 / rate

    def __bool__(self):
        return True

    def __getitem__(self, i):
        return ('sleep', 0)

    def pop(self, i):
        return ('sleep', 0)

    def __iter__(self):
        while True:
            n = next(Stream.counter)
            yield ('event', {'event': 'meeting.participant_joined',
                             'event_ts': int(time.time() * 1000),
                             'payload': {'object': {'id': 'ev-%d' % n}}})
            yield ('sleep', self.period)


class Holder:
    """etcdctl lock zoomws-SUB -- zoomws -o FILE ..., its process group."""

    def __init__(self, e, s, name, d):
        self.out = os.path.join(d, name + '.ndjson')
        self.err = open(os.path.join(d, name + '.log'), 'w')
        env = dict(s.env(), PATH=os.environ.get('PATH', '/usr/bin:/bin'))
        argv = e.ctl_argv('lock', '--ttl', str(TTL), 'zoomws-' + s.subscription_id,
                          '--', ZOOMWS, '-o', self.out, '--heartbeat', '0.5',
                          '--backoff-min', '0.05', '--backoff-max', '1')
        self.p = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                                  stderr=self.err, stdin=subprocess.DEVNULL,
                                  start_new_session=True)

    def zoomws_pid(self):
        """The zoomws child of this etcdctl, or None."""
        for pid in os.listdir('/proc'):
            if not pid.isdigit():
                continue
            try:
                with open('/proc/%s/stat' % pid) as f:
                    st = f.read()
            except OSError:
                continue
            ppid = int(st.rsplit(')', 1)[1].split()[1])
            if ppid == self.p.pid:
                return int(pid)
        return None

    def lines(self):
        try:
            with open(self.out, 'rb') as f:
                data = f.read()
        except FileNotFoundError:
            return []
        return [json.loads(x) for x in data.splitlines()]

    def kill(self):
        """SIGKILL zoomws and its etcdctl, as a host that dies."""
        z = self.zoomws_pid()
        if z is not None:
            os.kill(z, signal.SIGKILL)
        self.p.kill()
        self.p.wait()

    def stop(self):
        try:
            os.killpg(self.p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.p.pid, signal.SIGKILL)
            self.p.wait()
        self.err.close()


@test
def standby_takes_over_through_etcd():
    e = Etcd()
    d = tempfile.mkdtemp()
    holders = []
    try:
        with sim() as s:
            s.ws_scripts = [Stream(20) for _ in range(10)]
            a = Holder(e, s, 'a', d)
            holders.append(a)
            expect(s.wait(lambda: len(a.lines()) >= 10, 15), 'the first holder '
                   'wrote no events')
            b = Holder(e, s, 'b', d)
            holders.append(b)
            time.sleep(2)
            expect_eq(b.zoomws_pid(), None, 'the standby runs zoomws while '
                      'the lock is held')
            expect_eq(len(b.lines()), 0, 'the standby wrote events')
            killed = time.time()
            a.kill()
            expect(s.wait(lambda: len(b.lines()) >= 10, 30), 'the standby did '
                   'not take over')
            la, lb = a.lines(), b.lines()
            first_b = lb[0]
            takeover = first_b['event_ts'] / 1000 - killed
            gap = (first_b['event_ts'] - la[-1]['event_ts']) / 1000
            ids = [x['payload']['object']['id'] for x in la + lb]
            expect_eq(len(ids), len(set(ids)), 'events written twice')
            na = [int(i.split('-')[1]) for i in ids[:len(la)]]
            nb = [int(i.split('-')[1]) for i in ids[len(la):]]
            expect(na == sorted(na) and nb == sorted(nb) and nb[0] > na[-1],
                   'the standby\'s events do not follow on')
            print('# etcd takeover: first event from the standby %.2f s after '
                  'the kill (lease TTL %d s); gap between the last event written '
                  'and the next %.2f s' % (takeover, TTL, gap))
            expect(takeover < TTL + 8, 'takeover took %.1f s', takeover)
    finally:
        for h in holders:
            h.stop()
        e.stop()


if __name__ == '__main__':
    main()
