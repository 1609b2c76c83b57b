"""Engines turn a prepared answer (chat.answering.pipeline) into text deltas: the built-in
composer (composer.py) and the upstream LLM relay (upstream.py, with its prompt in prompt.py)."""
