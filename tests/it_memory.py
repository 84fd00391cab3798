#!/usr/bin/env python3
"""Integration: the memory budget (README, "Memory"). Resident memory
stays within 576 KiB fixed + 512 KiB of output queue + 2 x the largest
message zoomws accepted, whatever
the server sends: a huge frame length, an endless token body, deep
nesting, a flood of events. Peak RSS (VmHWM) is read from /proc; ASan
builds are not measured (their shadow memory is not zoomws's), nor runs
under qemu-user (VmHWM is then the emulator's, its translated code
included): those still run each case and check how it ends."""
import os
import struct

from itlib import EMULATED, FAST, Run, event, expect, expect_eq, main, sim, test

FIXED_KIB = 576
OUTPUT_KIB = 512
ASAN = 'asan' in os.environ.get('ZOOMWS', '')


def peak_kib(pid):
    with open('/proc/%d/status' % pid) as f:
        for ln in f:
            if ln.startswith('VmHWM:'):
                return int(ln.split()[1])
    raise AssertionError('no VmHWM')


@test
def hostile_server_stays_in_budget():
    huge = b'\x81\x7f' + struct.pack('>Q', 1 << 40) + b'x' * 100
    deep = '{"module":"message","content":' + '[' * 100000 + '}'
    with sim() as s:
        s.token_faults = [{'endless': True}]
        s.ws_scripts = [[('raw', huge)], [('raw', huge)],
                        [('text', deep)], [('event', event('meeting.started'))]]
        r = Run(['--max-message', '65536', '--idle-timeout', '1'] + FAST, s=s)
        r.wait_lines(1, 30)
        peak = peak_kib(r.p.pid)
        r.signal()
        expect_eq(r.wait(), 0, 'exit code')
        budget = FIXED_KIB + OUTPUT_KIB + 2 * 64
        expect(EMULATED or peak <= budget,
               'peak RSS %d KiB over the budget of %d KiB', peak, budget)
        expect_eq(s.connections[0].close_code, 1009, 'huge frame refused')


@test
def event_flood_stays_in_budget():
    evs = [event('recording.completed', i, pad='z' * 7000) for i in range(1500)]
    with sim() as s:
        s.ws_scripts = [[('event', e) for e in evs] + [('hold',)]]
        r = Run(FAST, s=s)
        r.wait_lines(1500, 60)
        peak = peak_kib(r.p.pid)
        r.signal()
        expect_eq(r.wait(), 0, 'exit code')
        # The largest message is about 7.5 KB; the default --max-message
        # (4 MiB) is reserved but never touched.
        budget = FIXED_KIB + OUTPUT_KIB + 2 * 8
        expect(EMULATED or peak <= budget,
               'peak RSS %d KiB over the budget of %d KiB', peak, budget)


if __name__ == '__main__':
    if ASAN:
        raise SystemExit(0)     # measured with the static binary only
    main()
