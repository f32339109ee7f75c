"""Production: production folders, review files, promotion, and the phases (chords, drums,
bass, melody) that fill them; ``arrange`` plans and assembles, ``compose`` runs it all.

Import the submodules directly (``chromatic.produce.folder``); this package stays import-light.
"""
