#!/bin/sh
# The LiteLLM proxy in the bench's own venv (bench/.venv-litellm), never in the project's
# dependencies: bench/relay.py runs it beside Lawbot against the same stand-in upstream.
set -e
cd "$(dirname "$0")"
[ -x .venv-litellm/bin/litellm ] && exit 0
python3.11 -m venv .venv-litellm
.venv-litellm/bin/pip install -q 'litellm[proxy]'
