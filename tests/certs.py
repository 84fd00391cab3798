"""certs: a throwaway PKI for the tests, made with the `openssl` CLI.

    c = Certs('/some/dir')     # creates the files once, reuses them when present
    c.ca, c.ca_key             # the test CA (EC P-256), the only one clients trust
    c.server, c.server_key     # EC P-256, signed by the CA, for localhost / 127.0.0.1 / ::1
    c.server_rsa, c.server_rsa_key   # the same names, RSA-2048
    c.wrongname, c.wrongname_key     # signed by the CA, for DNS:wrong.example only
    c.expired, c.expired_key         # signed by the CA, validity entirely in the past
    c.other_ca, c.other_ca_key       # a second CA nobody trusts
    c.untrusted, c.untrusted_key     # for localhost / 127.0.0.1, signed by other_ca
    c.pair('server') -> (cert_path, key_path)   # by name, as Sim(cert=...) takes it

Server certificates name 127.0.0.1 and ::1 both as IP addresses and as
DNS names: RFC 6125 clients match iPAddress entries, while verifiers that
only look at dNSName entries (BearSSL's minimal engine) compare the host
string against dNSName, so both forms let either kind of client verify a
server reached by address.

Standalone: `python3 tests/certs.py DIR` makes the files and prints the paths.
"""
import fcntl
import os
import subprocess
import sys
import tempfile

NAMES = ('server', 'server_rsa', 'wrongname', 'expired', 'untrusted')
LOCAL_SAN = 'DNS:localhost,DNS:127.0.0.1,IP:127.0.0.1,IP:::1'


def _openssl(*args, cwd=None):
    p = subprocess.run(('openssl',) + args, cwd=cwd, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise RuntimeError('openssl %s failed: %s' % (
            ' '.join(args[:2]), p.stderr.decode('utf-8', 'replace')))
    return p.stdout


class Certs:
    def __init__(self, dirpath):
        self.dir = os.path.abspath(dirpath)
        os.makedirs(self.dir, exist_ok=True)
        p = lambda n: os.path.join(self.dir, n)  # noqa: E731
        self.ca, self.ca_key = p('ca.pem'), p('ca.key')
        self.other_ca, self.other_ca_key = p('other_ca.pem'), p('other_ca.key')
        for n in NAMES:
            setattr(self, n, p(n + '.pem'))
            setattr(self, n + '_key', p(n + '.key'))
        want = [self.ca, self.ca_key, self.other_ca, self.other_ca_key]
        want += [getattr(self, n) for n in NAMES] + [getattr(self, n + '_key') for n in NAMES]
        # One maker at a time: suites sharing a directory never see a
        # half-made set (a CA from one run, a leaf from another).
        with open(os.path.join(self.dir, '.lock'), 'w') as lk:
            fcntl.flock(lk, fcntl.LOCK_EX)
            if not all(os.path.exists(f) for f in want):
                self._make()

    def pair(self, name):
        """(certificate path, key path) of a server certificate by name."""
        if name not in NAMES:
            raise ValueError('unknown certificate %r (one of %s)' % (name, ', '.join(NAMES)))
        return getattr(self, name), getattr(self, name + '_key')

    # -- creation -------------------------------------------------------
    def _key(self, path, rsa=False):
        if rsa:
            _openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048',
                     '-out', path)
        else:
            _openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256',
                     '-out', path)
        os.chmod(path, 0o600)

    def _ca(self, cert, key, cn):
        self._key(key)
        _openssl('req', '-x509', '-new', '-key', key, '-sha256', '-days', '3650',
                 '-subj', '/O=zoomws tests/CN=' + cn, '-out', cert,
                 '-addext', 'basicConstraints=critical,CA:TRUE',
                 '-addext', 'keyUsage=critical,keyCertSign,cRLSign')

    def _ext(self, tmp, san, rsa):
        path = os.path.join(tmp, 'ext-%s.cnf' % abs(hash((san, rsa))))
        ku = 'digitalSignature,keyEncipherment' if rsa else 'digitalSignature'
        with open(path, 'w') as f:
            f.write('[ext]\nbasicConstraints=critical,CA:FALSE\n'
                    'keyUsage=critical,%s\nextendedKeyUsage=serverAuth\n'
                    'subjectAltName=%s\n' % (ku, san))
        return path

    def _leaf(self, tmp, name, ca, ca_key, san, rsa=False, cn='localhost'):
        cert, key = self.pair(name)
        self._key(key, rsa)
        csr = os.path.join(tmp, name + '.csr')
        _openssl('req', '-new', '-key', key, '-subj', '/O=zoomws tests/CN=' + cn, '-out', csr)
        _openssl('x509', '-req', '-in', csr, '-CA', ca, '-CAkey', ca_key,
                 '-set_serial', str(int.from_bytes(os.urandom(8), 'big')),
                 '-days', '825', '-sha256', '-extfile', self._ext(tmp, san, rsa),
                 '-extensions', 'ext', '-out', cert)

    def _expired(self, tmp):
        # `openssl x509` of OpenSSL 3.0 cannot set a start date, `openssl ca`
        # can: a minimal CA database in the scratch directory.
        cert, key = self.pair('expired')
        self._key(key)
        csr = os.path.join(tmp, 'expired.csr')
        _openssl('req', '-new', '-key', key, '-subj', '/O=zoomws tests/CN=localhost',
                 '-out', csr)
        open(os.path.join(tmp, 'index.txt'), 'w').close()
        with open(os.path.join(tmp, 'serial'), 'w') as f:
            f.write('%016X\n' % int.from_bytes(os.urandom(7), 'big'))
        cnf = os.path.join(tmp, 'ca.cnf')
        with open(cnf, 'w') as f:
            f.write('[ca]\ndefault_ca=tca\n[tca]\ndir=%s\ndatabase=$dir/index.txt\n'
                    'serial=$dir/serial\nnew_certs_dir=$dir\ndefault_md=sha256\n'
                    'policy=pol\nunique_subject=no\ncopy_extensions=none\n'
                    '[pol]\norganizationName=supplied\ncommonName=supplied\n'
                    '[ext]\nbasicConstraints=critical,CA:FALSE\n'
                    'keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n'
                    'subjectAltName=%s\n' % (tmp, LOCAL_SAN))
        _openssl('ca', '-batch', '-config', cnf, '-in', csr, '-cert', self.ca,
                 '-keyfile', self.ca_key, '-startdate', '20200101000000Z',
                 '-enddate', '20210101000000Z', '-extensions', 'ext', '-notext',
                 '-out', cert)

    def _make(self):
        with tempfile.TemporaryDirectory(prefix='certs-') as tmp:
            self._ca(self.ca, self.ca_key, 'zoomws test CA')
            self._ca(self.other_ca, self.other_ca_key, 'untrusted test CA')
            self._leaf(tmp, 'server', self.ca, self.ca_key, LOCAL_SAN)
            self._leaf(tmp, 'server_rsa', self.ca, self.ca_key, LOCAL_SAN, rsa=True)
            self._leaf(tmp, 'wrongname', self.ca, self.ca_key, 'DNS:wrong.example',
                       cn='wrong.example')
            self._leaf(tmp, 'untrusted', self.other_ca, self.other_ca_key, LOCAL_SAN)
            self._expired(tmp)


if __name__ == '__main__':
    c = Certs(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix='certs-'))
    for n in ('ca', 'other_ca') + NAMES:
        print('%s=%s' % (n, getattr(c, n)))
