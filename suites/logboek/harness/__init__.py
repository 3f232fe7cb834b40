"""The parties and wire formats cgconform uses for the Logboek Dataverwerkingen roles.

- ``wire``: the MinBZK ``logboek.v1`` gRPC wire format (``logboek.proto`` beside it), built as
  Python message classes at import time, and the gRPC method names of ``logboek.v1`` and OTLP/gRPC.
"""
