"""The exported model's interface, one definition for the exporter (torch side) and the scorer
(onnxruntime only): input names in the order the graph takes them, and output names."""

from __future__ import annotations

from chromatic.taxonomy import AXES

#: Each modality's tensor followed by its presence mask (0: absent, the model's null
#: embedding); then the MIDI's symbolic features (``chromatic.music.symbolic``).
INPUTS = (
    "audio",
    "audio_mask",
    "roll",
    "midi_mask",
    "concept",
    "concept_mask",
    "lyric",
    "lyric_mask",
    "midi_features",
)
#: One 3-way distribution per axis, then the confidence.
OUTPUTS = (*AXES, "confidence")
#: The MIDI-only distributions: MIDI with every other modality absent.
MIDI_OUTPUTS = tuple(f"midi_{a}" for a in AXES)
ALL_OUTPUTS = (*OUTPUTS, *MIDI_OUTPUTS)
#: Keys of the ONNX file's metadata_props.
META_KEY = "chromatic"
