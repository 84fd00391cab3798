#!/usr/bin/env python3
"""make soak: zoomws under a long run against the simulator.

1. CYCLES reconnect cycles (default 10,000): each connection opens,
   delivers one event and is dropped. Resident memory and open
   descriptors of zoomws are read from /proc after 1,000 cycles and at
   the end: both must stay flat.
2. EVENTS events (default 1,000,000) through one connection: all must
   arrive, in order, and memory stay flat.
3. The same cycles (SOAK_ASAN_CYCLES, default 1,000) with the ASan build:
   LeakSanitizer reports any leak at exit.
Prints PASS/FAIL lines and the figures; asserts nothing about time.
"""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itlib import ROOT, Run, event, line, sim  # noqa: E402

CYCLES = int(os.environ.get('CYCLES', '10000'))
EVENTS = int(os.environ.get('EVENTS', '1000000'))
ASAN_CYCLES = int(os.environ.get('SOAK_ASAN_CYCLES', '1000'))
FAST = ['--heartbeat', '5', '--backoff-min', '0.001', '--backoff-max', '0.002']
failed = 0


def status(pid):
    st = {}
    with open('/proc/%d/status' % pid) as f:
        for ln in f:
            k, _, v = ln.partition(':')
            st[k] = v.strip()
    st['fds'] = len(os.listdir('/proc/%d/fd' % pid))
    return st


def report(name, ok, msg):
    global failed
    print('%s soak/%s: %s' % ('PASS' if ok else 'FAIL', name, msg), flush=True)
    failed += not ok


def cycles(binary, n, marks):
    os.environ['ZOOMWS'] = binary
    import itlib
    itlib.ZOOMWS = binary
    seen = {}
    with sim() as s:
        ev = event('meeting.participant_joined', 1)
        s.ws_scripts = [[('event', ev), ('drop',)] for _ in range(n + 5)]
        r = Run(FAST, s=s)
        t0 = time.monotonic()
        for mark in marks:
            # the simulator paces a cycle at about 0.15 s
            r.wait_lines(mark, timeout=mark * 0.5 + 60)
            seen[mark] = status(r.p.pid)
            print('  after %d cycles (%.0fs): VmRSS %s, VmHWM %s, fds %d' % (
                mark, time.monotonic() - t0, seen[mark]['VmRSS'], seen[mark]['VmHWM'],
                seen[mark]['fds']), flush=True)
        r.signal(signal.SIGTERM)
        rc = r.wait(30)
        return rc, seen, r, time.monotonic() - t0


def main():
    static = os.path.join(ROOT, 'zoomws')
    marks = [m for m in (1000, 2500, 5000, 7500, CYCLES) if m <= CYCLES]
    rc, seen, r, secs = cycles(static, CYCLES, sorted(set(marks)))
    first, last = seen[marks[0]], seen[marks[-1]]
    print('reconnect cycles: %d in %.0fs; after %d: VmRSS %s, fds %d; after %d: '
          'VmRSS %s, VmHWM %s, fds %d' % (CYCLES, secs, marks[0], first['VmRSS'],
                                           first['fds'], marks[-1], last['VmRSS'],
                                           last['VmHWM'], last['fds']))
    report('cycles_exit', rc == 0, 'exit %d' % rc)
    report('cycles_fds_flat', first['fds'] == last['fds'],
           'descriptors %d then %d' % (first['fds'], last['fds']))
    grow = int(last['VmRSS'].split()[0]) - int(first['VmRSS'].split()[0])
    report('cycles_rss_flat', grow <= 64, 'resident memory grew %d KiB' % grow)

    # One connection, EVENTS events.
    ev = event('meeting.participant_joined', 7)
    with sim() as s:
        s.ws_scripts = [[('event', ev)] * EVENTS + [('hold',)]]
        r = Run(FAST, s=s)
        t0 = time.monotonic()
        r.wait_lines(EVENTS // 10, timeout=3600)
        st1 = status(r.p.pid)
        r.wait_lines(EVENTS, timeout=3600)
        st2 = status(r.p.pid)
        r.signal(signal.SIGTERM)
        rc = r.wait(30)
        lines = r.lines()
        want = line(ev)
        ok = len(lines) == EVENTS and all(x == want for x in lines)
        print('one connection: %d events in %.0fs; VmRSS %s after %d, %s at the end, '
              'VmHWM %s' % (EVENTS, time.monotonic() - t0, st1['VmRSS'], EVENTS // 10,
                            st2['VmRSS'], st2['VmHWM']))
        report('events_all_in_order', ok and rc == 0, '%d lines, exit %d' % (len(lines), rc))
        # The output queue may fill to its bound as the reader lags; the
        # peak must stay within the budget of README "Memory".
        peak = int(st2['VmHWM'].split()[0])
        budget = 576 + 512 + 2 * 1
        report('events_rss_in_budget', peak <= budget,
               'peak %d KiB, budget %d KiB' % (peak, budget))

    asan = os.path.join(ROOT, 'build', 'asan', 'zoomws')
    if os.path.exists(asan) and ASAN_CYCLES:
        rc, seen, r, secs = cycles(asan, ASAN_CYCLES, [ASAN_CYCLES])
        leak = 'LeakSanitizer' in r.stderr or 'ERROR: AddressSanitizer' in r.stderr
        report('asan_cycles_no_leak', rc == 0 and not leak,
               '%d cycles in %.0fs under ASan, exit %d%s' %
               (ASAN_CYCLES, secs, rc, ', sanitizer report on stderr' if leak else ''))
    print('%d passed, %d failed' % (5 + bool(ASAN_CYCLES) - failed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
