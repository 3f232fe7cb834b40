"""nlgov-oauth-resource-server: cgconform as the client of an OAuth-protected resource. The
modules follow the NL GOV OAuth profile (``connections_with_clients``: §4.2,
``connections_with_authorization_servers``: §4.3, ``jwt_bearer_tokens``: §3.2.1) and RFC 6750
§3 (``bearer_challenges``); the probes and tokens live in ``harness/rs_*``."""
