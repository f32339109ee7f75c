"""The catalog: manifests and LRC, validation, the tracks table, segments, verification,
dataset export and example-catalog synthesis. Import submodules directly."""
