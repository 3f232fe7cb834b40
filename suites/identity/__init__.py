"""Checks of identity: the NL GOV OpenID Connect provider (oidc/), an OAuth resource server
(oauth/) and a Yivi requestor API (yivi/); the parties cgconform plays live in harness/."""
