"""A recorded test card that the camera code can open like a webcam (VideoCapture takes a path).

Webcams deliver 640x480 as Motion JPEG or raw YUYV; the file is Motion JPEG, so opening it costs
the app what a common USB webcam would (a JPEG decode per frame), not less.
"""

from __future__ import annotations

from pathlib import Path

import cv2

from echo_desktop.media.synthetic import TestPatternTrack


def write_test_card_video(
    path: Path, seconds: float, width: int = 640, height: int = 480, fps: float = 15.0
) -> Path:
    """Write `seconds` of the moving test card (with its frame counter) as an MJPG AVI file."""
    card = TestPatternTrack("Virtual camera", width, height, fps)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (width, height))
    if not writer.isOpened():
        raise OSError(f"cannot write a video file at {path}")
    try:
        for counter in range(int(seconds * fps)):
            writer.write(cv2.cvtColor(card.render(counter), cv2.COLOR_RGB2BGR))
    finally:
        writer.release()
        card.stop()
    return path
