"""The parties cgconform plays for the identity profiles.

- NL GOV OpenID Connect provider (``nlgov-oidc-provider``): cgconform is the relying party.
  ``oidc_settings`` (the ``[oidc]`` table of target.toml), ``client_key`` (``cgconform oidc
  client-key DIR``: the client's private key and the ``jwks.json`` to register),
  ``oidc_client`` (discovery, JWKS, authorization and token requests, ID token verification),
  ``oidc_login`` (the headless login: the provider's own HTML forms, driven by the login
  script of ``[[oidc.login]]``), ``oidc_flows`` (the relying party of one run: the flows the
  checks judge, each run once; the chain suite signs its citizens in with it too).
- OAuth resource server (``nlgov-oauth-resource-server``): cgconform is the client.
  ``rs_settings`` (the ``[oauth]`` table), ``rs_tokens`` (the valid token and its bad
  variants), ``rs_issuer`` (the test issuer's discovery and JWKS), ``rs_probes`` (each request
  once per run), ``rs_challenge`` (``WWW-Authenticate``), ``rs_judge`` (an answer's verdict).
- Yivi requestor (``yivi-requestor``): cgconform is the requestor. ``yivi_settings`` (the
  ``[yivi]`` table), ``yivi_requests`` (session requests, JWT-wrapped too), ``yivi_api`` (the
  requestor API, statusevents included), ``yivi_sse`` (server-sent events), ``yivi_shapes``
  (session package, error object, results), ``yivi_harness`` (what the checks share).
"""
