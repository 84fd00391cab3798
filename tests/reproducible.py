#!/usr/bin/env python3
"""tests/reproducible.py [TARGET...]: `make check-reproducible`.

Builds the release twice, from two fresh clones of HEAD in different
directories, one after the other (so at different times), with different
umasks, time zones, locales and make -j, and checks:

- both dist/ directories hold the same files, byte for byte, and
  `sha256sum -c SHA256SUMS` accepts them;
- each archive holds one directory zoomws-VERSION-linux-ARCH with
  zoomws, zoomws.1, README.md, LICENSE, .env.example and contrib/ (every
  file of it), owned by 0:0 with the last commit's time;
- each archive's binary is a static, stripped ELF file for its CPU
  (machine, word size, byte order; float ABI and ISA where the target
  promises one), and answers --version under qemu-user on the CPU model
  tests/cross/qemu names for the target (ARMv6 for armel, MIPS32r2 for
  mipsel, i686 without SSE for i386) with this version, its target and the
  commit; the mipsel binary holds no FPU instruction at all;
- each Debian package has its architecture, and lintian reports no error.

Uncommitted changes are not in the clones: this checks HEAD. With TARGETs
(cross.mk's names), only those are released. Prints `PASS name` or
`FAIL name: why` per check and ends with `N passed, M failed`.
"""
import os
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
QEMU = os.path.join(HERE, 'cross', 'qemu')

# ELF facts per target: class (1: 32-bit, 2: 64-bit), data (1: little-,
# 2: big-endian), e_machine, and (mask, value) of e_flags that the target
# promises: ARM EABI soft or hard float, MIPS32r2.
ELF = {
    'x86_64': (2, 1, 62, None),
    'aarch64': (2, 1, 183, None),
    'armhf': (1, 1, 40, (0x400, 0x400)),
    'armel': (1, 1, 40, (0x200, 0x200)),
    'i386': (1, 1, 3, None),
    'mipsel': (1, 1, 8, (0xf0000000, 0x70000000)),
    'mips64el': (2, 1, 8, None),
    'ppc64el': (2, 1, 21, None),
    's390x': (2, 2, 22, None),
}

passed = failed = 0


def report(ok, name, why=''):
    global passed, failed
    if ok:
        passed += 1
        print('PASS %s' % name)
    else:
        failed += 1
        print('FAIL %s: %s' % (name, why))
    sys.stdout.flush()


def sh(cmd, cwd=None, env=None, umask=None, timeout=1800):
    def pre():
        if umask is not None:
            os.umask(umask)
    p = subprocess.run(cmd, cwd=cwd, env=env, timeout=timeout, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=pre)
    return p.returncode, p.stdout.decode('utf-8', 'replace')


def targets_table():
    """{target: (debian arch, release name)} from cross.mk."""
    table = {}
    with open(os.path.join(ROOT, 'cross.mk')) as f:
        for m in re.finditer(r'^TARGET_(\w+)\s*=\s*(.+)$', f.read(), re.M):
            w = m.group(2).split()
            table[m.group(1)] = (w[0], w[4])
    return table


def version():
    with open(os.path.join(ROOT, 'Makefile')) as f:
        return re.search(r'^VERSION\s*=\s*(\S+)', f.read(), re.M).group(1)


def clean_env(**extra):
    """The environment without what the outer make or a caller would pass
    on to the release builds."""
    env = {k: v for k, v in os.environ.items()
           if k not in ('MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'MAKEOVERRIDES',
                        'SOURCE_DATE_EPOCH', 'TARGET', 'TARGETS', 'CROSS_TARGETS',
                        'CA_BUNDLE', 'DEB_MAINTAINER')}
    env.update(extra)
    return env


def release(src, head, dest, targets, env, umask, jobs):
    """Clone src at head into dest and make release there; the error or
    None."""
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    rc, out = sh(['git', 'clone', '--quiet', '--no-hardlinks', src, dest])
    if rc == 0:
        rc, out = sh(['git', 'checkout', '--quiet', '--detach', head], cwd=dest)
    if rc:
        return 'git: %s' % out
    cmd = ['make', '-j%d' % jobs, 'release']
    if targets:
        cmd.append('TARGETS=%s' % ' '.join(targets))
    t0 = time.monotonic()
    rc, out = sh(cmd, cwd=dest, env=env, umask=umask)
    print('make release in %s: %.0fs' % (dest, time.monotonic() - t0))
    return None if rc == 0 else 'make release (exit %d):\n%s' % (rc, out[-3000:])


def differences(a, b):
    """Why two dist/ directories differ, or ''."""
    fa, fb = sorted(os.listdir(a)), sorted(os.listdir(b))
    if fa != fb:
        return 'different files: %s vs %s' % (fa, fb)
    why = []
    for n in fa:
        with open(os.path.join(a, n), 'rb') as x, open(os.path.join(b, n), 'rb') as y:
            if x.read() != y.read():
                why.append(n + member_differences(os.path.join(a, n), os.path.join(b, n)))
    return '; '.join(why)


def member_differences(a, b):
    """For two archives: the members whose header or data differ."""
    if not a.endswith('.tar.gz'):
        return ''
    out = []
    with tarfile.open(a) as ta, tarfile.open(b) as tb:
        ma, mb = ta.getmembers(), tb.getmembers()
        if [m.name for m in ma] != [m.name for m in mb]:
            return ' (member lists differ)'
        for x, y in zip(ma, mb):
            hx = (x.mode, x.uid, x.gid, x.uname, x.gname, x.mtime, x.size)
            hy = (y.mode, y.uid, y.gid, y.uname, y.gname, y.mtime, y.size)
            if hx != hy:
                out.append('%s header %s vs %s' % (x.name, hx, hy))
            elif x.isfile() and ta.extractfile(x).read() != tb.extractfile(y).read():
                out.append('%s data' % x.name)
    if len(out) > 3:
        out[3:] = ['%d more' % (len(out) - 3)]
    return ' (%s)' % ', '.join(out) if out else ' (gzip stream only)'


def elf_facts(data):
    """(class, data, machine, flags, static, stripped) of an ELF image."""
    if data[:4] != b'\x7fELF':
        return None
    cls, enc = data[4], data[5]
    e = '<' if enc == 1 else '>'
    machine, = struct.unpack_from(e + 'H', data, 18)
    if cls == 1:
        phoff, shoff, flags = struct.unpack_from(e + 'III', data, 28)
        phentsize, phnum, shentsize, shnum = struct.unpack_from(e + 'HHHH', data, 42)
    else:
        phoff, shoff, flags = struct.unpack_from(e + 'QQI', data, 32)
        phentsize, phnum, shentsize, shnum = struct.unpack_from(e + 'HHHH', data, 54)
    ptypes = [struct.unpack_from(e + 'I', data, phoff + i * phentsize)[0]
              for i in range(phnum)]
    stypes = [struct.unpack_from(e + 'I', data, shoff + i * shentsize + 4)[0]
              for i in range(shnum)] if shoff else []
    static = 2 not in ptypes and 3 not in ptypes        # no PT_DYNAMIC, PT_INTERP
    stripped = 2 not in stypes                          # no SHT_SYMTAB
    return cls, enc, machine, flags, static, stripped


def check_archive(path, target, arch, ver, epoch, commit, scratch):
    name = 'zoomws-%s-linux-%s' % (ver, arch)
    label = 'archive/%s' % os.path.basename(path)
    contrib = sorted(os.listdir(os.path.join(ROOT, 'contrib')))
    want = sorted([name, name + '/zoomws', name + '/zoomws.1', name + '/README.md',
                   name + '/LICENSE', name + '/.env.example', name + '/contrib'] +
                  [name + '/contrib/' + c for c in contrib])
    with tarfile.open(path) as t:
        members = t.getmembers()
        names = [m.name for m in members]
        report(sorted(names) == want, label + '/members', '%s, want %s' % (names, want))
        bad = [m.name for m in members
               if (m.uid, m.gid, m.mtime) != (0, 0, epoch) or m.mode & 0o022]
        report(not bad, label + '/owner-mtime-mode',
               'owner not 0:0, mtime not %d, or writable by others: %s' % (epoch, bad[:3]))
        if name + '/zoomws' not in names:
            return
        data = t.extractfile(name + '/zoomws').read()
    facts = elf_facts(data)
    want_elf = ELF.get(target)
    why = ''
    if facts is None:
        why = 'not an ELF file'
    else:
        cls, enc, machine, flags, static, stripped = facts
        if want_elf and (cls, enc, machine) != want_elf[:3]:
            why = 'class/data/machine %s, want %s' % ((cls, enc, machine), want_elf[:3])
        elif want_elf and want_elf[3] and flags & want_elf[3][0] != want_elf[3][1]:
            why = 'e_flags %#x' % flags
        elif not static:
            why = 'not static (PT_INTERP or PT_DYNAMIC)'
        elif not stripped:
            why = 'not stripped (.symtab)'
    report(not why, label + '/static-stripped-elf', why)
    exe = os.path.join(scratch, target, 'zoomws')
    os.makedirs(os.path.dirname(exe), exist_ok=True)
    with open(exe, 'wb') as f:
        f.write(data)
    os.chmod(exe, 0o755)
    rc, out = sh([QEMU, target, exe, '--version'], timeout=60)
    lines = out.splitlines()
    ok = (rc == 0 and lines[:1] == ['zoomws ' + ver]
          and any(l.startswith('target: linux-%s (' % arch) for l in lines)
          and 'commit: ' + commit in lines
          and any(l.startswith('BearSSL: ') and 'unknown' not in l for l in lines))
    report(ok, label + '/version-under-qemu', 'exit %s: %r' % (rc, out))
    if target == 'mipsel':
        fp = fpu_instructions(exe)
        report(fp == [], label + '/no-fpu-instruction',
               'FPU instructions %s: a router without an FPU (MT7621) stops it' % fp)


# MIPS FPU mnemonics: loads, stores and moves of coprocessor 1, its
# branches, and the arithmetic, compares and conversions (.s, .d, .ps).
MIPS_FPU = re.compile(r'^(?:[ls][wd]x?c1|m[tf]h?c1|[ct]fc1|bc1[tf]l?|'
                      r'(?:cvt|trunc|round|floor|ceil)\..*|.*\.(?:s|d|ps))$')


def fpu_instructions(exe):
    """The FPU mnemonics in a mipsel binary (objdump -d), sorted; None
    when objdump fails."""
    rc, out = sh(['mipsel-linux-gnu-objdump', '-d', exe], timeout=300)
    if rc:
        return None
    found = set()
    for l in out.splitlines():
        parts = l.split('\t')
        if len(parts) >= 3 and MIPS_FPU.match(parts[2].strip()):
            found.add(parts[2].strip())
    return sorted(found)


def main():
    table = targets_table()
    targets = sys.argv[1:]
    unknown = [t for t in targets if t not in table]
    if unknown:
        print('usage: tests/reproducible.py [TARGET...] (of %s)' % ' '.join(table))
        return 2
    rc, head = sh(['git', 'rev-parse', 'HEAD'], cwd=ROOT)
    if rc:
        print('FAIL reproducible: not a git checkout: %s' % head)
        return 1
    head = head.strip()
    rc, st = sh(['git', 'status', '--porcelain', '--untracked-files=no'], cwd=ROOT)
    if st.strip():
        print('note: uncommitted changes are not checked; the clones are of HEAD %s'
              % head[:12])
    tmp = tempfile.mkdtemp(prefix='zoomws-repro-')
    a = os.path.join(tmp, 'a', 'zoomws')
    b = os.path.join(tmp, 'second', 'clone', 'of', 'zoomws-b')
    err = release(ROOT, head, a, targets, clean_env(TZ='UTC', LC_ALL='C'), 0o022, 2)
    report(err is None, 'reproducible/release-a', err)
    time.sleep(1.1)
    if err is None:
        err = release(ROOT, head, b, targets,
                      clean_env(TZ='NZST-12NZDT', LC_ALL='C.UTF-8'), 0o077, 1)
        report(err is None, 'reproducible/release-b', err)
    if err is not None:
        print('%d passed, %d failed' % (passed, failed))
        return 1
    da, db = os.path.join(a, 'dist'), os.path.join(b, 'dist')
    why = differences(da, db)
    report(not why, 'reproducible/identical', why)
    rc, out = sh(['sha256sum', '-c', 'SHA256SUMS'], cwd=da)
    report(rc == 0, 'reproducible/sha256sum-c', out)

    ver = version()
    rc, epoch = sh(['git', 'log', '-1', '--format=%ct'], cwd=a)
    commit = head[:12]
    scratch = os.path.join(tmp, 'run')
    chosen = targets or list(table)
    for t in chosen:
        deb, arch = table[t]
        archive = os.path.join(da, 'zoomws-%s-linux-%s.tar.gz' % (ver, arch))
        if not os.path.exists(archive):
            report(False, 'archive/%s' % os.path.basename(archive), 'missing')
            continue
        check_archive(archive, t, arch, ver, int(epoch), commit, scratch)
    debs = [os.path.join(da, 'zoomws_%s_%s.deb' % (ver, table[t][0])) for t in chosen]
    for d, t in zip(debs, chosen):
        rc, out = sh(['dpkg-deb', '-f', d, 'Architecture'])
        report(rc == 0 and out.strip() == table[t][0], 'deb/%s/architecture'
               % os.path.basename(d), out)
    rc, out = sh(['lintian', '--no-cfg'] + debs, timeout=1800)
    errors = [l for l in out.splitlines() if l.startswith('E:')]
    report(rc == 0 and not errors, 'deb/lintian', 'exit %s:\n%s' % (rc, out))

    if failed:
        print('the two clones are kept in %s' % tmp)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
