"""A reference track as style: its measured figures (``figures``) and the bias they give
every phase (``bias``)."""
