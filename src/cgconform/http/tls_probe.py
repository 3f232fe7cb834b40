"""A TLS handshake on its own, to see what the target negotiates (version, cipher). Part of the
one network layer: checks and `doctor` use this, never sockets of their own."""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from cgconform.model.outcomes import TargetUnreachable
from cgconform.model.target import TlsConfig


@dataclass(frozen=True)
class Handshake:
    host: str
    port: int
    version: str  # "TLSv1.3"
    cipher: str  # "TLS_AES_256_GCM_SHA384"


def handshake(
    url: str,
    tls: TlsConfig,
    *,
    timeout_s: float,
    maximum: ssl.TLSVersion | None = None,
    ciphers: str | None = None,
) -> Handshake:
    """Connect to the URL's host and port and complete a TLS handshake (with the client
    certificate when configured). `maximum` caps the version offered (to see whether an old
    one is accepted), `ciphers` limits the TLS 1.2 suites offered. Raises TargetUnreachable
    with the reason when it fails."""
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or 443
    context = ssl.create_default_context(cafile=str(tls.ca_bundle) if tls.ca_bundle else None)
    if not tls.verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if maximum is not None:
        context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        context.maximum_version = maximum
    if ciphers is not None:  # OpenSSL cipher list; applies to TLS 1.2 and lower
        context.set_ciphers(ciphers)
    if tls.requests_cert:
        context.load_cert_chain(*tls.requests_cert)
    try:
        with (
            socket.create_connection((host, port), timeout=timeout_s) as raw,
            context.wrap_socket(raw, server_hostname=host) as conn,
        ):
            cipher = conn.cipher()
            return Handshake(host, port, conn.version() or "", cipher[0] if cipher else "")
    except ssl.SSLCertVerificationError as exc:
        raise TargetUnreachable(
            f"TLS certificate of {host} not trusted: {exc.verify_message}"
        ) from None
    except (OSError, ssl.SSLError) as exc:
        raise TargetUnreachable(f"TLS handshake with {host}:{port} failed: {exc}") from None
