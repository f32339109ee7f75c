"""One module per production phase (chords today; drums, bass and melody to come). Each turns a
production folder's proposal into ranked candidates and a review.yml."""
