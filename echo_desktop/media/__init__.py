"""Media layer: local sources (synthetic, camera, microphone) and handling of decoded frames."""
