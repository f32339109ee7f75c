"""Production: song proposals, production folders, review files, promotion, and the phases
(chords today; drums, bass and melody later) that fill them.

Import the submodules directly (``chromatic.produce.proposal``); this package stays import-light.
"""
