"""The parties cgconform plays for the FSC profiles, and the protocol pieces they compute.

- The Group: ``pki`` (who is who), ``settings`` (the ``[fsc]`` table), ``preflight`` and
  ``doctor`` (is every SUT component reachable over mTLS?), ``command`` (``cgconform fsc pki``).
- The other Peers: ``peers`` (the :class:`Harness`, one per run: Peers A, B and C, their mock
  Managers, what the scenarios ask of the SUT's Manager), ``mocks`` (the mock Manager, Inway
  and Service on the network), ``ports``.
- The protocol: ``contracts`` (Contract content, Grants, UUIDv7), ``hashes`` (RFC 8785 ->
  SHA3-512), ``jose`` (JWS, certificate-bound tokens, JWKS), ``fixture_contracts`` (the
  Contracts every run sets up first).
- What a scenario judges: ``expect`` (accepted, rejected with which error; what a finding
  says), ``signing`` (accept/reject/revoke), ``tokens``, ``calls`` (requests through the
  SUT's Inway and Outway), ``records`` (transaction log records).

The check modules beside this package (``manager/``, ``inway/``, ``outway/``, ``logging/``)
follow the structure of the FSC Test Suite and import from here.
"""
