"""The exported model's interface, one definition for the exporter (torch side) and the scorer
(onnxruntime only): input names in the order the graph takes them, and output names."""

from __future__ import annotations

from chromatic.taxonomy import AXES

#: Each modality's tensor followed by its presence mask (0: absent, the model's null embedding).
INPUTS = (
    "audio",
    "audio_mask",
    "roll",
    "midi_mask",
    "concept",
    "concept_mask",
    "lyric",
    "lyric_mask",
)
#: One 3-way distribution per axis, then the confidence.
OUTPUTS = (*AXES, "confidence")
