"""The catalog: manifests and LRC, validation, the tracks table. Import submodules directly.

What is built from it lives beside it: ``chromatic.segments`` (training segments),
``chromatic.dataset`` (verification and export) and ``chromatic.synth`` (example media)."""
