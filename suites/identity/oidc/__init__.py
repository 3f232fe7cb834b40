"""Checks of an OpenID Provider under the NL GOV Assurance profile for OpenID Connect 1.0.1
(profile ``nlgov-oidc-provider``), one module per part of the profile: ``discovery`` (5.4),
``algorithms`` (7.2.1), ``authorization_endpoint`` (3, 5: PKCE, 5.5: redirect_uri),
``token_endpoint`` (5.2.1), ``id_tokens`` (5.2.2), ``subjects`` (5.2.3),
``authentication_context`` (5.2.5), ``access_tokens`` (5.2.7). The flows they judge are run once
per run by ``harness.oidc_flows.RelyingParty`` (the session fixture ``oidc`` of conftest.py).
"""
