# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A throw-away CA and a server certificate for 127.0.0.1 / ::1 / localhost.

A separate CA (rather than one self-signed leaf) keeps strict verifiers happy, e.g. Python 3.13's
VERIFY_X509_STRICT. Uses the `openssl` CLI when present, else the `cryptography` package.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import shutil
import subprocess

CA_FILE = "ca.pem"
CERT_FILE = "server.pem"
KEY_FILE = "server.key"

_CA_CONFIG = """[req]
distinguished_name = dn
prompt = no
x509_extensions = v3_ca
[dn]
CN = whatsapp-sim test CA
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
"""

_LEAF_CONFIG = """[req]
distinguished_name = dn
prompt = no
[dn]
CN = localhost
[v3_leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


class CertificatePaths:
    def __init__(self, directory):
        self.directory = directory
        self.ca_file = os.path.join(directory, CA_FILE)
        self.cert_file = os.path.join(directory, CERT_FILE)
        self.key_file = os.path.join(directory, KEY_FILE)


def generate(directory):
    """Write ca.pem, server.pem (leaf + CA chain) and server.key into `directory`; return their paths."""
    os.makedirs(directory, exist_ok=True)
    paths = CertificatePaths(directory)
    if shutil.which("openssl"):
        _generate_with_openssl(paths)
    else:
        _generate_with_cryptography(paths)
    return paths


def _openssl(*args, cwd):
    subprocess.run(("openssl",) + args, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _generate_with_openssl(paths):
    work = paths.directory
    with open(os.path.join(work, "ca.cnf"), "w", encoding="utf-8") as handle:
        handle.write(_CA_CONFIG)
    with open(os.path.join(work, "leaf.cnf"), "w", encoding="utf-8") as handle:
        handle.write(_LEAF_CONFIG)
    ec_key = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    _openssl(
        "req",
        "-x509",
        *ec_key,
        "-keyout",
        "ca.key",
        "-out",
        CA_FILE,
        "-days",
        "30",
        "-config",
        "ca.cnf",
        "-sha256",
        cwd=work,
    )
    _openssl("req", "-new", *ec_key, "-keyout", KEY_FILE, "-out", "server.csr", "-config", "leaf.cnf", cwd=work)
    _openssl(
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        CA_FILE,
        "-CAkey",
        "ca.key",
        "-set_serial",
        str(int.from_bytes(os.urandom(8), "big")),
        "-out",
        "leaf.pem",
        "-days",
        "30",
        "-sha256",
        "-extfile",
        "leaf.cnf",
        "-extensions",
        "v3_leaf",
        cwd=work,
    )
    _concatenate(paths.cert_file, os.path.join(work, "leaf.pem"), paths.ca_file)


def _concatenate(target, *sources):
    with open(target, "w", encoding="utf-8") as out:
        for source in sources:
            with open(source, encoding="utf-8") as handle:
                out.write(handle.read())


def _generate_with_cryptography(paths):
    # pylint: disable=import-outside-toplevel
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "whatsapp-sim test CA")])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address("::1")),
    ]
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, True, False, False, False, False, False, False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_pem = ca_cert.public_bytes(serialization.Encoding.PEM)
    with open(paths.ca_file, "wb") as handle:
        handle.write(ca_pem)
    with open(paths.cert_file, "wb") as handle:
        handle.write(leaf.public_bytes(serialization.Encoding.PEM) + ca_pem)
    with open(paths.key_file, "wb") as handle:
        handle.write(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
