"""yivi-requestor: cgconform as a requestor of an irma (Yivi) server. The modules follow the
docs: ``sessions`` (POST /session with each kind of session request, session-requests.md),
``authentication`` (requestor authentication), ``session_package`` (token, sessionPtr,
frontendRequest), ``status`` (status, DELETE, TIMEOUT, DONE), ``statusevents``, ``results``
(result, result-jwt, publickey) and ``errors`` (irma.RemoteError); the requestor's calls live in
``harness/yivi_*``."""
