"""The benchmarks' library: what ``benchmarks/`` and the tests measure a song, a part or a model
with, and nothing the product runs. No module outside ``measure`` imports it; it may import
any of them (it reads finished production folders, MIDI and review files as a user would).

- ``musicality``: the neutral ``Piece`` (a composed song, a Bach chorale and an Essen tune
  reduced alike) and the figures of docs/MUSICALITY.md;
- ``standard_metrics``: the MusPy-defined symbolic metrics on a ``Piece``;
- ``arrangement``: a production folder as a ``Piece``;
- ``craft``: clash rate, lead above, range, key agreement of a finished folder;
- ``melody``: the sung words of a finished arrangement (stress, wrap-around, lines once);
- ``reference_features``: the simple symbolic features a reference classifier uses;
- ``taste_simulation``: a simulated artist deciding review files, to test the taste model.
"""
