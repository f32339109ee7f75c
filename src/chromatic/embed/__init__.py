"""Encoders behind one protocol, and the cached, resumable embedding pass over segments.

Import submodules directly: the transformer and librosa stacks load only when an encoder of
theirs is built.
"""
