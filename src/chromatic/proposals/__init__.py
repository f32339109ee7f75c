"""Song proposals: one reader (``reader``), its value parsing policy (``values``) and threads
(``threads``: which proposal of a concept-agent thread is final, and loading a chain folder)."""
