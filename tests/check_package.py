#!/usr/bin/env python3
"""The Debian package of this machine's architecture (pkg/deb), built by
`make dist/zoomws_VERSION_ARCH.deb`:

- it holds what it promises: the binary in /usr/bin, the manual page, the
  systemd units running /usr/bin/zoomws, the example env file, every
  file of contrib/;
- lintian reports no error;
- `dpkg -i` installs it: `zoomws --version` names this version and
  target, `man -w zoomws` finds the page, the system user zoomws exists,
  and no unit is enabled;
- `dpkg --purge` removes it again, leaving nothing behind: no file, no
  user, no group, no dpkg record.

Needs root and dpkg; prints a note and runs nothing without them, and
when a zoomws package or user is already on the machine (the test would
remove it). Another dpkg or apt-get at work is waited for.

Prints `PASS check_package/name` or `FAIL check_package/name: why`.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import time

from itlib import ROOT, expect, expect_eq, main, test

SBIN = '/usr/local/sbin:/usr/sbin:/sbin'
ENV = dict(os.environ, DEBIAN_FRONTEND='noninteractive', LC_ALL='C',
           PATH=os.environ.get('PATH', '/usr/bin:/bin') + ':' + SBIN)
# Where the package's files, or leftovers of them, would be.
WATCHED = ('/etc', '/lib/systemd', '/usr/lib/systemd', '/usr/bin', '/usr/sbin',
           '/usr/share/doc', '/usr/share/man/man1', '/usr/share/lintian',
           '/var/lib/dpkg/info', '/var/lib/zoomws')


def run(cmd, timeout=300):
    p = subprocess.run(cmd, env=ENV, cwd=ROOT, timeout=timeout, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return p.returncode, p.stdout.decode('utf-8', 'replace')


def dpkg(*args):
    """dpkg ARGS, waiting up to ten minutes for another dpkg's lock."""
    deadline = time.monotonic() + 600
    while True:
        rc, out = run(['dpkg'] + list(args))
        if rc == 0 or 'lock' not in out or time.monotonic() > deadline:
            return rc, out
        time.sleep(5)


def version():
    with open(os.path.join(ROOT, 'Makefile')) as f:
        return re.search(r'^VERSION\s*=\s*(\S+)', f.read(), re.M).group(1)


ARCH = subprocess.run(['dpkg', '--print-architecture'], stdout=subprocess.PIPE,
                      ).stdout.decode().strip() if shutil.which('dpkg') else ''
DEB = os.path.join('dist', 'zoomws_%s_%s.deb' % (version(), ARCH))


def user_exists(name, db='passwd'):
    return subprocess.run(['getent', db, name], stdout=subprocess.DEVNULL).returncode == 0


def installed():
    rc, out = run(['dpkg-query', '-W', '-f', '${db:Status-Status}', 'zoomws'])
    return rc == 0 and out.strip() not in ('', 'not-installed')


def leftovers():
    """Paths under WATCHED whose name mentions zoomws."""
    found = set()
    for top in WATCHED:
        for d, dirs, files in os.walk(top):
            for n in dirs + files:
                if 'zoomws' in n:
                    found.add(os.path.join(d, n))
    return found


def contents():
    """{path: (mode, line)} of the package's data."""
    rc, out = run(['dpkg-deb', '-c', DEB])
    expect(rc == 0, 'dpkg-deb -c: %s', out)
    files = {}
    for line in out.splitlines():
        path = line.split()[-1]
        files[path.lstrip('.')] = line
    return files


@test
def package_is_built():
    rc, out = run(['make', '-s', DEB], timeout=900)
    expect(rc == 0 and os.path.exists(os.path.join(ROOT, DEB)), 'make %s: %s', DEB, out)
    rc, out = run(['dpkg-deb', '-f', DEB, 'Package', 'Version', 'Architecture', 'Depends'])
    expect_eq(out.split('\n')[:4], ['Package: zoomws', 'Version: ' + version(),
                                    'Architecture: ' + ARCH, 'Depends: adduser'],
              'control fields')


@test
def package_holds_what_it_promises():
    files = contents()
    for path in ('/usr/bin/zoomws', '/usr/share/man/man1/zoomws.1.gz',
                 '/lib/systemd/system/zoomws.service', '/lib/systemd/system/zoomws@.service',
                 '/usr/share/doc/zoomws/copyright', '/usr/share/doc/zoomws/changelog.gz',
                 '/usr/share/doc/zoomws/examples/zoomws.env'):
        expect(path in files, '%s not in the package', path)
    expect(files['/usr/bin/zoomws'].startswith('-rwxr-xr-x root/root'),
           'the binary: %s', files['/usr/bin/zoomws'])
    names = {os.path.basename(p) for p in files}
    for f in os.listdir(os.path.join(ROOT, 'contrib')):
        expect(f in names, 'contrib/%s not in the package', f)
    rc, out = run(['sh', '-c', 'dpkg-deb --fsys-tarfile "$0" | tar -xOf - '
                   './lib/systemd/system/zoomws.service', DEB])
    execs = [l for l in out.splitlines() if l.startswith('ExecStart=')]
    expect(execs and all('/usr/bin/zoomws' in l and '/usr/local' not in l for l in execs),
           'the unit does not run /usr/bin/zoomws: %s', execs)


@test
def lintian_finds_no_error():
    rc, out = run(['lintian', '--no-cfg', DEB], timeout=600)
    errors = [l for l in out.splitlines() if l.startswith('E:')]
    expect(rc == 0 and not errors, 'lintian (exit %s):\n%s', rc, out)


@test
def installs_runs_and_purges_leaving_nothing():
    before = leftovers()
    rc, out = dpkg('-i', DEB)
    try:
        expect(rc == 0, 'dpkg -i: %s', out)
        rc, out = run(['/usr/bin/zoomws', '--version'])
        lines = out.splitlines()
        expect(rc == 0 and lines and lines[0] == 'zoomws ' + version(),
               'zoomws --version (exit %s): %r', rc, out)
        expect(any(l.startswith('target: linux-') and '(%s:' % ARCH in l for l in lines),
               'zoomws --version names no %s target: %r', ARCH, out)
        rc, out = run(['man', '-w', 'zoomws'])
        expect_eq((rc, out.strip()), (0, '/usr/share/man/man1/zoomws.1.gz'), 'man -w zoomws')
        p = subprocess.run(['getent', 'passwd', 'zoomws'], stdout=subprocess.PIPE)
        fields = p.stdout.decode().strip().split(':')
        expect(len(fields) == 7, 'no zoomws user after install')
        expect(int(fields[2]) < 1000, 'zoomws is not a system user: %s', fields)
        expect(fields[6].endswith('nologin'), 'zoomws has a login shell: %s', fields)
        wants = glob.glob('/etc/systemd/system/*.wants/zoomws*')
        expect(not wants, 'a unit was enabled on install: %s', wants)
    finally:
        prc, pout = dpkg('--purge', 'zoomws')
    expect(prc == 0, 'dpkg --purge: %s', pout)
    expect(not installed(), 'dpkg still knows zoomws after the purge')
    expect(not user_exists('zoomws'), 'the zoomws user is still there')
    expect(not user_exists('zoomws', 'group'), 'the zoomws group is still there')
    left = sorted(leftovers() - before)
    expect(not left, 'left behind: %s', left)


def not_run():
    """Why the tests cannot run here, or None."""
    if os.geteuid() != 0:
        return 'needs root'
    if not ARCH or not shutil.which('dpkg-deb'):
        return 'needs dpkg'
    if installed():
        return 'a zoomws package is installed here; the test would remove it'
    if user_exists('zoomws') or user_exists('zoomws', 'group'):
        return 'a zoomws user or group exists here; the purge would remove it'
    return None


if __name__ == '__main__':
    why = not_run()
    if why:
        print('check_package: not run: %s' % why)
        sys.exit(0)
    main()
