"""schemathesis's command line, with one CPython 3.11.7 bug worked around.

On 3.11.7, `ast.parse` can raise SystemError ("AST constructor recursion depth mismatch", fixed
in 3.11.8) when hypothesis reads a lambda's source to describe a strategy (a cosmetic repr that
schemathesis builds for query and path parameters). That failure gets the description hypothesis
gives any lambda whose source it cannot find; everything else runs unchanged."""

import sys

from hypothesis.internal import lambda_sources
from schemathesis.cli import schemathesis

_describe = lambda_sources._lambda_description


def _described(f, *args, **kwargs):
    try:
        return _describe(f, *args, **kwargs)
    except SystemError:
        return "lambda: <unknown>"


lambda_sources._lambda_description = _described

if __name__ == "__main__":
    sys.exit(schemathesis())
