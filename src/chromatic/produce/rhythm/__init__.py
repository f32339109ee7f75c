"""Rhythm for the part phases: meter grids and strong beats (``meter``), the General MIDI drum
kit (``chromatic.music.gm``), genre words -> drum families (``genres``), the drum template library
(``templates``), section-transition fills (``fills``) and groove templates (``humanize``)."""
