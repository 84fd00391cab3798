#!/usr/bin/env python3
"""Integration: CAs built into the binary (make CA_BUNDLE=file.pem), used
when neither --ca-file, SSL_CERT_FILE nor a system bundle is there. The
system bundles are hidden by a tmpfs over /etc/ssl in a private mount
namespace (unshare -m, as root); without that the test cannot run."""
import os
import shutil
import subprocess

from itlib import FAST, ROOT, certs, event, expect, expect_eq, line, main, sim, test

# Only the static build is made with built-in CAs; one run is enough.
# Cross runs (ZOOMWS_TARGET) skip it: the anchors are generated on the
# build machine as byte arrays, and the native run tests that step.
ONCE = ('asan' not in os.environ.get('ZOOMWS', '')
        and not os.environ.get('ZOOMWS_TARGET'))


def build():
    ca = certs().ca
    hdr = os.path.join(ROOT, 'build', 'ca', 'ca_builtin.h')
    if os.path.exists(hdr):
        os.remove(hdr)
    out = os.path.join(ROOT, 'build', 'zoomws-ca')
    if os.path.exists(out):
        os.remove(out)
    subprocess.run(['make', '-s', 'CA_BUNDLE=' + ca, 'build/zoomws-ca'], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL)
    return out


def hidden_ssl(binary, args):
    # /etc/ssl and /etc/pki hidden: no system bundle anywhere zoomws looks.
    script = ('mount -t tmpfs none /etc/ssl && '
              '{ [ ! -d /etc/pki ] || mount -t tmpfs none /etc/pki; } && '
              'exec "$0" "$@"')
    return ['unshare', '-m', 'sh', '-c', script, binary] + args


@test
def builtin_anchors_used_without_a_bundle():
    binary = build()
    ev = event('meeting.started')
    with sim() as s:
        env = s.env()
        del env['SSL_CERT_FILE']
        s.ws_scripts = [[('event', ev)]]
        # With built-in CAs and no system bundle: connects.
        p = subprocess.run(hidden_ssl(binary, ['-n', '1', '-v'] + FAST),
                           env=dict(env, PATH=os.environ['PATH']),
                           capture_output=True, timeout=30)
        expect_eq(p.returncode, 0, 'exit code:\n' + p.stderr.decode())
        expect_eq(p.stdout.decode().splitlines(), [line(ev)], 'stdout')
        expect('trusted CAs from built-in' in p.stderr.decode(), 'source not logged')
        # The plain binary, same conditions: no CA at all, exit 78.
        p = subprocess.run(hidden_ssl(os.path.join(ROOT, 'zoomws'), FAST),
                           env=dict(env, PATH=os.environ['PATH']),
                           capture_output=True, timeout=30)
        expect_eq(p.returncode, 78, 'exit code without CAs:\n' + p.stderr.decode())
        expect('CA_BUNDLE' in p.stderr.decode(), 'hint missing')
        # A system bundle, when there is one, comes before the built-in CAs
        # (the contract's order): the test CA is not in it, so the TLS
        # verification fails and no credentials are sent.
        s.token_requests.clear()
        p = subprocess.run([binary, '--max-retries', '1'] + FAST,
                           env=dict(env, PATH=os.environ['PATH']),
                           capture_output=True, timeout=30)
        if os.path.exists('/etc/ssl/certs/ca-certificates.crt'):
            expect_eq(p.returncode, 69, 'exit code with the system bundle first')
            expect_eq(s.token_requests, [], 'credentials sent')


if __name__ == '__main__':
    if not ONCE:
        raise SystemExit(0)     # built and run once, with the static binary
    if shutil.which('unshare') is None:
        print('FAIL it_builtin_ca/unshare: unshare(1) is missing')
        raise SystemExit(1)
    main()
