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


def write_test_card_y4m(
    path: Path, seconds: float, width: int = 640, height: int = 480, fps: int = 15
) -> Path:
    """Write `seconds` of the same moving test card as raw I420 frames in a Y4M file.

    Chromium plays a Y4M file as its fake camera (`--use-file-for-fake-video-capture`), looping
    it at the frame rate in its header. Its built-in fake camera is a nearly still picture, far
    cheaper to encode than a moving one; with this file it encodes the same picture we do.
    """
    card = TestPatternTrack("Chromium camera", width, height, fps)
    try:
        with path.open("wb") as file:
            file.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
            for counter in range(int(seconds * fps)):
                file.write(b"FRAME\n")
                file.write(cv2.cvtColor(card.render(counter), cv2.COLOR_RGB2YUV_I420).tobytes())
    finally:
        card.stop()
    return path
