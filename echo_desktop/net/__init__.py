"""Network layer: Janus signaling over WebSocket and the WebRTC conference on top of it."""
