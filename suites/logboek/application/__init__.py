"""Checks of `logboek-application`: an application that processes (personal) data writes one
record per action to its Logboek, with Trace Context across applications. Judged from the
records it exports and the calls it makes, never from its code."""
