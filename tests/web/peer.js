/*
 * ECHO browser peer for interop tests and benchmarks.
 *
 * Joins a Janus VideoRoom (Janus 1.1.x, janus.js from the Debian package) as a publisher of the
 * fake camera and microphone, and subscribes to every other publisher through ONE multistream
 * subscriber handle, following joins and leaves. Everything a test needs is in window.echoPeer;
 * testkit.chromium_peer reads it over the Chrome DevTools Protocol.
 *
 * Query parameters: server (ws URL), room, pin, display, publish (1/0), and for latency benchmarks
 * (bench/latency.py):
 *   source=canvas-clock  publish, instead of the fake camera, a canvas test card (width, height, fps;
 *                        default 640x480 at 15) whose frames carry a frame counter and the wall clock
 *                        in ms, as the code strips of echo_desktop/media/frame_code.py; each frame is
 *                        handed to captureStream(0) with requestFrame() as soon as it is drawn, or
 *                        with canvas_capture=stream sampled by captureStream(fps) (the same latency
 *                        here: the canvas adds 5-6 ms from drawing to a frame on the track either way);
 *   measure=clock        read the clock strip back from every frame the <video> elements render
 *                        (requestVideoFrameCallback) and keep glass-to-glass latency samples, to be
 *                        collected with window.echoPeer.takeClockSamples().
 * The wall clock is performance.timeOrigin + performance.now(): on one machine it is the clock of
 * Python's time.time(), so senders and receivers of any kind can be compared.
 *
 * Frame counts come from RTCPeerConnection.getStats() (inbound-rtp framesDecoded), never from
 * requestVideoFrameCallback, which over-counts in headless Chromium. Remote tracks are still
 * attached to <video> elements so that Chromium really renders them.
 */
/* global Janus */
(function () {
  "use strict";

  const params = new URLSearchParams(window.location.search);
  const server = params.get("server") || "";
  const room = Number.parseInt(params.get("room") || "", 10);
  const pin = params.get("pin") || "";
  const display = params.get("display") || "chromium";
  const publish = params.get("publish") !== "0";
  const source = params.get("source") || "camera"; // "camera" | "canvas-clock"
  const measureClock = params.get("measure") === "clock";
  const canvasWidth = Number.parseInt(params.get("width") || "640", 10);
  const canvasHeight = Number.parseInt(params.get("height") || "480", 10);
  const canvasFps = Number.parseFloat(params.get("fps") || "15");
  const canvasCapture = params.get("canvas_capture") || "request"; // "request" | "stream"
  // As a clinic web client shows a call (bench/cpu_mem.py, the like-for-like yardstick):
  const preview = params.get("preview") === "1"; // show our own camera, as a self-view
  const tile = /^(\d+)x(\d+)$/.exec(params.get("tile") || ""); // every video drawn at WxH
  const audible = params.get("audible") === "1"; // remote audio elements not muted

  const FAST_POLL_MS = 10; // while some feed still waits for its first frame
  const SLOW_POLL_MS = 200;
  const OUTBOUND_POLL_MS = 200;
  const LOG_LIMIT = 300;
  const VIDEOROOM = "janus.plugin.videoroom";

  const feedList = [];
  const feedsById = new Map();

  const peer = {
    state: "joining", // "joining" | "joined" | "left" | "failed: <reason>"
    t0: performance.now(),
    joinedMs: null, // ms from t0 to "joined"
    myId: null,
    room: room,
    display: display,
    publish: publish,
    publisherIce: null,
    subscriberIce: null,
    feeds: feedList,
    outbound: {
      framesEncoded: 0,
      totalEncodeTime: 0, // seconds spent encoding video, all frames
      bytesSent: 0, // video payload bytes
      packetsSent: 0, // video RTP packets
      audioPacketsSent: 0,
      codec: null,
      frameWidth: null,
      frameHeight: null,
    },
    log: [],
    leave: leave,
    source: source,
    canvas: null, // with source=canvas-clock: {framesDrawn, width, height, fps}
    clockReader: null, // with measure=clock: {callbacks, frames, repeats, unreadable, api}
    takeClockSamples: takeClockSamples,
    wallClockMs: wallClockMs,
    pipelineStats: pipelineStats,
  };
  window.echoPeer = peer;

  let janus = null;
  let pubHandle = null;
  let subHandle = null;
  let subState = "none"; // "none" | "creating" | "ready"
  let privateId = null;
  let leaving = false;
  let subscriberAnswered = false;
  const pendingFeeds = []; // feed ids waiting for the subscriber handle
  const midToFeed = new Map(); // subscriber mid -> feed id
  const midBaseline = new Map(); // mid -> {frames, audio} counted before the current feed owned it
  const midLastSeen = new Map(); // mid -> {frames, audio} as last read from getStats
  const remoteElements = new Map(); // mid -> <video>/<audio>

  function now() {
    return performance.now() - peer.t0;
  }

  function log(level, ...args) {
    const text = args
      .map((a) => {
        if (typeof a === "string") return a;
        if (a instanceof Error) return a.name + ": " + a.message;
        try {
          return JSON.stringify(a);
        } catch (e) {
          return String(a);
        }
      })
      .join(" ");
    peer.log.push(Math.round(now()) + "ms " + level + " " + text);
    if (peer.log.length > LOG_LIMIT) peer.log.splice(0, peer.log.length - LOG_LIMIT);
  }

  function describe(err) {
    if (!err) return "unknown error";
    if (typeof err === "string") return err;
    if (err.message) return (err.name ? err.name + ": " : "") + err.message;
    try {
      return JSON.stringify(err);
    } catch (e) {
      return String(err);
    }
  }

  function fail(reason) {
    log("error", "FAILED", reason);
    if (leaving || peer.state.startsWith("failed")) return;
    peer.state = "failed: " + reason;
    updateStatus();
  }

  function setJoined() {
    if (peer.state !== "joining") return;
    peer.state = "joined";
    peer.joinedMs = now();
    log("info", "joined room", room, "as", peer.myId);
    updateStatus();
  }

  function updateStatus() {
    const el = document.getElementById("status");
    if (!el) return;
    const decoding = feedList.filter((f) => f.active && f.framesDecoded > 0).length;
    const active = feedList.filter((f) => f.active).length;
    el.textContent = display + " | " + peer.state + " | feeds " + decoding + "/" + active;
  }

  // ------------------------------------------------ code strips (frame_code.py)

  // Keep in step with echo_desktop/media/frame_code.py: 32 blocks (16 bits, then the same bits
  // inverted), each row 1/20 of the frame high; row 0 is the frame counter, row 1 the wall clock in
  // ms modulo 65536.
  const CODE_BITS = 16;
  const CODE_BLOCKS = 2 * CODE_BITS;
  const STRIP_FRACTION = 1 / 20;
  const COUNTER_ROW = 0;
  const CLOCK_ROW = 1;
  const CLOCK_MODULUS = 65536;

  function wallClockMs() {
    return performance.timeOrigin + performance.now();
  }

  function stripHeight(height) {
    return Math.max(8, Math.floor(height * STRIP_FRACTION));
  }

  function drawCode(ctx, width, height, value, row) {
    const strip = stripHeight(height);
    const v = value & 0xffff;
    for (let i = 0; i < CODE_BLOCKS; i++) {
      const dataBit = (v >> (CODE_BITS - 1 - (i % CODE_BITS))) & 1;
      const bit = i < CODE_BITS ? dataBit : 1 - dataBit;
      const x0 = Math.floor((i * width) / CODE_BLOCKS);
      const x1 = Math.floor(((i + 1) * width) / CODE_BLOCKS);
      ctx.fillStyle = bit ? "#ffffff" : "#000000";
      ctx.fillRect(x0, row * strip, x1 - x0, strip);
    }
  }

  // Read one code row from RGBA pixels `pixels` (`width` wide) whose first line is the row's top.
  function readCode(pixels, width, strip) {
    const y0 = Math.floor(strip / 4);
    const y1 = strip - Math.floor(strip / 4);
    const bits = [];
    for (let i = 0; i < CODE_BLOCKS; i++) {
      const x0 = Math.floor((i * width) / CODE_BLOCKS);
      const x1 = Math.floor(((i + 1) * width) / CODE_BLOCKS);
      const margin = Math.max(1, Math.floor((x1 - x0) / 4));
      let sum = 0;
      let count = 0;
      for (let y = y0; y < y1; y++) {
        for (let x = x0 + margin; x < x1 - margin; x++) {
          const at = (y * width + x) * 4;
          sum += pixels[at] + pixels[at + 1] + pixels[at + 2];
          count += 3;
        }
      }
      const level = sum / count;
      if (level > 80 && level < 175) return null; // neither black nor white: not our strip
      bits.push(level >= 128 ? 1 : 0);
    }
    let value = 0;
    for (let i = 0; i < CODE_BITS; i++) {
      if (bits[i] === bits[i + CODE_BITS]) return null; // the check bits disagree
      value = (value << 1) | bits[i];
    }
    return value;
  }

  // ------------------------------------------------ source=canvas-clock

  // A moving test card on a canvas, captured as the published video track. Each frame is drawn in
  // a requestAnimationFrame callback (where a web app draws), stamped with the wall clock last, and
  // handed to the track at once with requestFrame() (captureStream(0): no sampling of its own), or
  // sampled by captureStream(fps) with canvas_capture=stream.
  function startCanvasClock() {
    const canvas = document.createElement("canvas");
    canvas.width = canvasWidth;
    canvas.height = canvasHeight;
    canvas.id = "canvas-clock";
    document.body.appendChild(canvas); // in the page, so that it is painted like any canvas
    const ctx = canvas.getContext("2d");
    const stream = canvas.captureStream(canvasCapture === "stream" ? canvasFps : 0);
    const track = stream.getVideoTracks()[0];
    const info = { framesDrawn: 0, width: canvasWidth, height: canvasHeight, fps: canvasFps };
    peer.canvas = info;
    const period = 1000 / canvasFps;
    let start = null;
    const w = canvasWidth;
    const h = canvasHeight;

    function draw(n) {
      const gradient = ctx.createLinearGradient(0, 0, w, 0);
      const hue = (n * 4) % 360;
      gradient.addColorStop(0, "hsl(" + hue + ", 45%, 45%)");
      gradient.addColorStop(1, "hsl(" + ((hue + 180) % 360) + ", 45%, 45%)");
      ctx.fillStyle = gradient;
      ctx.fillRect(0, 0, w, h);
      const x = Math.floor((Math.sin(n / 10) * 0.4 + 0.5) * (w - 80));
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(x, h / 2 - 40, 80, 80);
      ctx.font = Math.round(h / 20) + "px sans-serif";
      ctx.fillText(display + " canvas #" + n, 16, 3 * stripHeight(h) + h / 12);
      drawCode(ctx, w, h, n, COUNTER_ROW);
      drawCode(ctx, w, h, Math.floor(wallClockMs()) % CLOCK_MODULUS, CLOCK_ROW);
    }

    function onAnimationFrame() {
      if (leaving) return;
      const t = performance.now();
      if (start === null) start = t;
      // Frame n is due at start + n * period; a frame that is late is drawn once, not caught up.
      const due = Math.floor((t - start) / period + 0.1);
      if (due >= info.framesDrawn) {
        draw(info.framesDrawn);
        if (canvasCapture !== "stream") track.requestFrame();
        info.framesDrawn = due + 1;
      }
      requestAnimationFrame(onAnimationFrame);
    }
    requestAnimationFrame(onAnimationFrame);
    return track;
  }

  // Where the time goes inside Chromium, from getStats (averages in ms over the whole call): the
  // publisher's encoder and pacer, and per remote video its jitter buffer, decoder and processing.
  async function pipelineStats() {
    const out = { outbound: null, inbound: [] };
    const pub = pcOf(pubHandle);
    if (pub) {
      (await pub.getStats()).forEach(function (r) {
        if (r.type !== "outbound-rtp" || r.kind !== "video" || !r.framesEncoded) return;
        out.outbound = {
          framesEncoded: r.framesEncoded,
          encodeMs: (1000 * r.totalEncodeTime) / r.framesEncoded,
          packetSendDelayMs: r.packetsSent ? (1000 * r.totalPacketSendDelay) / r.packetsSent : null,
          frameWidth: r.frameWidth,
          frameHeight: r.frameHeight,
          qualityLimitationReason: r.qualityLimitationReason,
        };
      });
    }
    const sub = pcOf(subHandle);
    if (sub) {
      (await sub.getStats()).forEach(function (r) {
        if (r.type !== "inbound-rtp" || r.kind !== "video" || !r.framesDecoded) return;
        out.inbound.push({
          mid: r.mid,
          framesDecoded: r.framesDecoded,
          jitterBufferMs: r.jitterBufferEmittedCount
            ? (1000 * r.jitterBufferDelay) / r.jitterBufferEmittedCount
            : null,
          decodeMs: (1000 * r.totalDecodeTime) / r.framesDecoded,
          processingMs: r.totalProcessingDelay ? (1000 * r.totalProcessingDelay) / r.framesDecoded : null,
        });
      });
    }
    return out;
  }

  // ------------------------------------------------ measure=clock

  const clockSamples = new Map(); // feed id -> [[wall ms, age ms], ...] not yet taken

  // Collected by bench/latency.py: every sample since the last call, per feed.
  function takeClockSamples() {
    const out = [];
    for (const [feedId, samples] of clockSamples) {
      if (samples.length === 0) continue;
      const feed = feedsById.get(feedId);
      out.push({ feed_id: feedId, display: feed ? feed.display : "", samples: samples.splice(0) });
    }
    return out;
  }

  function watchClock(el, mid) {
    if (el.dataset.clockWatch) return;
    el.dataset.clockWatch = "1";
    if (!peer.clockReader) {
      const api = "requestVideoFrameCallback" in HTMLVideoElement.prototype ? "rvfc" : "raf";
      peer.clockReader = { callbacks: 0, frames: 0, repeats: 0, unreadable: 0, api: api };
    }
    const stats = peer.clockReader;
    const scratch = document.createElement("canvas");
    const ctx = scratch.getContext("2d", { willReadFrequently: true });
    let lastValue = null;

    function onFrame() {
      if (leaving) return;
      const now = wallClockMs(); // the frame is being rendered now
      stats.callbacks++;
      const vw = el.videoWidth;
      const vh = el.videoHeight;
      if (vw > 0 && vh > 0) {
        const strip = stripHeight(vh);
        if (scratch.width !== vw || scratch.height !== strip) {
          scratch.width = vw;
          scratch.height = strip;
        }
        // Only the clock row, at the video's own resolution.
        ctx.drawImage(el, 0, CLOCK_ROW * strip, vw, strip, 0, 0, vw, strip);
        const value = readCode(ctx.getImageData(0, 0, vw, strip).data, vw, strip);
        const feedId = midToFeed.get(mid);
        if (value === null) {
          stats.unreadable++;
        } else if (value === lastValue) {
          stats.repeats++; // the same frame again: headless Chromium calls back more than once
        } else if (feedId !== undefined) {
          lastValue = value;
          stats.frames++;
          const age = (((Math.floor(now) - value) % CLOCK_MODULUS) + CLOCK_MODULUS) % CLOCK_MODULUS;
          if (!clockSamples.has(feedId)) clockSamples.set(feedId, []);
          const samples = clockSamples.get(feedId);
          samples.push([Math.round(now * 10) / 10, age]);
          if (samples.length > 20000) samples.splice(0, samples.length - 20000);
        }
      }
      if (stats.api === "rvfc") el.requestVideoFrameCallback(onFrame);
      else requestAnimationFrame(onFrame);
    }
    if (stats.api === "rvfc") el.requestVideoFrameCallback(onFrame);
    else requestAnimationFrame(onFrame);
  }

  // ------------------------------------------------------- preview=1, tile=WxH

  if (tile) {
    const style = document.createElement("style");
    style.textContent = "video { width: " + tile[1] + "px; height: " + tile[2] + "px; object-fit: contain; }";
    document.head.appendChild(style);
  }

  function showPreview(track, on) {
    if (!preview || track.kind !== "video") return;
    let el = document.getElementById("local");
    if (!on) {
      if (el) el.remove();
      return;
    }
    if (!el) {
      el = document.createElement("video");
      el.id = "local";
      el.autoplay = true;
      el.muted = true;
      el.playsInline = true;
      document.getElementById("remotes").appendChild(el);
    }
    el.srcObject = new MediaStream([track]);
    const playing = el.play();
    if (playing && playing.catch) playing.catch((e) => log("warn", "preview play()", describe(e)));
  }

  // ---------------------------------------------------------------- feeds

  function feedFor(id, name) {
    let feed = feedsById.get(id);
    if (!feed) {
      feed = {
        feed_id: id,
        display: name || "",
        active: true,
        subscribedMs: null, // ms from t0 to the subscribe request for this feed
        framesDecoded: 0,
        firstFrameMs: null, // ms from t0 to the first decoded frame
        firstFrameAfterSubscribeMs: null,
        framesPerSecond: null,
        frameWidth: null,
        frameHeight: null,
        videoCodec: null,
        packetsLost: 0,
        audioPacketsReceived: 0,
        audioLevel: null, // 0..1, of the decoded audio (inbound-rtp audioLevel)
        rendered: null, // {videoWidth, videoHeight, currentTime, paused} of the <video> element
        mids: [],
      };
      feedsById.set(id, feed);
      feedList.push(feed);
    } else {
      feed.active = true;
      if (name) feed.display = name;
    }
    return feed;
  }

  function onPublishers(list) {
    const added = [];
    for (const p of list || []) {
      if (!p || p.dummy || p.id === peer.myId) continue;
      const known = feedsById.get(p.id);
      if (known && known.active && known.subscribedMs !== null) continue;
      feedFor(p.id, p.display);
      added.push(p.id);
    }
    if (added.length > 0) subscribe(added);
  }

  function onFeedGone(id) {
    const feed = feedsById.get(id);
    const queued = pendingFeeds.indexOf(id);
    if (queued >= 0) pendingFeeds.splice(queued, 1);
    if (!feed || !feed.active) return;
    feed.active = false;
    log("info", "feed left", id, feed.display);
    // No unsubscribe: Janus drops the feed's streams from our subscription itself and renegotiates.
    updateStatus();
  }

  function subscribe(ids) {
    if (subState === "ready" && subHandle) {
      const t = now();
      for (const id of ids) feedFor(id).subscribedMs = t;
      log("info", "subscribe", ids);
      subHandle.send({
        message: { request: "subscribe", streams: ids.map((id) => ({ feed: id })) },
        error: (e) => log("warn", "subscribe request failed", describe(e)),
      });
      return;
    }
    for (const id of ids) if (!pendingFeeds.includes(id)) pendingFeeds.push(id);
    if (subState === "none") createSubscriber();
  }

  function createSubscriber() {
    subState = "creating";
    subscriberAnswered = false; // a new handle means a new PeerConnection
    janus.attach({
      plugin: VIDEOROOM,
      opaqueId: "echo-peer-sub-" + Janus.randomString(8),
      success: function (handle) {
        subHandle = handle;
        const ids = pendingFeeds.splice(0).filter((id) => {
          const f = feedsById.get(id);
          return f && f.active;
        });
        if (ids.length === 0) {
          // Everyone we wanted left before the handle existed.
          subState = "none";
          subHandle = null;
          handle.detach();
          return;
        }
        const t = now();
        for (const id of ids) feedFor(id).subscribedMs = t;
        log("info", "subscriber join", ids);
        handle.send({
          message: {
            request: "join",
            room: room,
            ptype: "subscriber",
            pin: pin,
            private_id: privateId,
            streams: ids.map((id) => ({ feed: id })),
          },
        });
      },
      error: function (e) {
        subState = "none";
        fail("subscriber attach: " + describe(e));
      },
      iceState: function (state) {
        peer.subscriberIce = state;
        log("info", "subscriber ICE", state);
      },
      webrtcState: function (on) {
        log("info", "subscriber PeerConnection", on ? "up" : "down");
      },
      slowLink: function (uplink, lost, mid) {
        log("warn", "slow link (subscriber)", uplink ? "up" : "down", lost, "mid", mid);
      },
      onmessage: onSubscriberMessage,
      onlocaltrack: function () {},
      onremotetrack: onRemoteTrack,
      oncleanup: function () {
        log("info", "subscriber cleanup");
      },
    });
  }

  function mapStreams(streams) {
    for (const s of streams || []) {
      if (s.mid === undefined || s.mid === null) continue;
      const mid = String(s.mid);
      const feedId = s.active === false ? undefined : s.feed_id;
      const previous = midToFeed.get(mid);
      if (feedId === undefined || feedId === null) {
        midToFeed.delete(mid);
        continue;
      }
      if (previous !== feedId) {
        // The mid is new or now carries another feed: count only what arrives from here on.
        midBaseline.set(mid, Object.assign({ frames: 0, audio: 0 }, midLastSeen.get(mid)));
        midToFeed.set(mid, feedId);
        const feed = feedFor(feedId, s.feed_display);
        if (!feed.mids.includes(mid)) feed.mids.push(mid);
      }
    }
  }

  function onSubscriberMessage(msg, jsep) {
    const event = msg.videoroom;
    if (msg.error) {
      log("warn", "subscriber error", msg.error_code, msg.error);
      if (subState === "creating") {
        // The join failed (for instance, every requested feed vanished): start over later.
        const handle = subHandle;
        subHandle = null;
        subState = "none";
        if (handle) handle.detach();
        const retry = feedList.filter((f) => f.active && f.mids.length === 0).map((f) => f.feed_id);
        if (retry.length > 0) setTimeout(() => subscribe(retry), 300);
      }
    } else if (event === "attached") {
      subState = "ready";
      log("info", "subscriber attached");
      const queued = pendingFeeds.splice(0).filter((id) => {
        const f = feedsById.get(id);
        return f && f.active;
      });
      if (queued.length > 0) subscribe(queued);
    }
    if (event === "updated") log("info", "subscription updated", jsep ? "(renegotiating)" : "");
    if (msg.streams) mapStreams(msg.streams);
    if (jsep) {
      subHandle.createAnswer({
        jsep: jsep,
        // Only data is named (once, or janus.js warns on every renegotiation): the offered audio
        // and video are accepted as recvonly.
        tracks: subscriberAnswered ? [] : [{ type: "data" }],
        success: function (answer) {
          subscriberAnswered = true;
          subHandle.send({ message: { request: "start", room: room }, jsep: answer });
        },
        error: function (e) {
          fail("subscriber answer: " + describe(e));
        },
      });
    }
  }

  function onRemoteTrack(track, mid, on) {
    const key = String(mid);
    if (!on) {
      // janus.js also reports a long mute as "off"; drop the element only when the track ended.
      if (track.readyState === "ended") {
        const el = remoteElements.get(key);
        if (el) el.remove();
        remoteElements.delete(key);
      }
      return;
    }
    let el = remoteElements.get(key);
    if (!el) {
      el = document.createElement(track.kind === "video" ? "video" : "audio");
      el.autoplay = true;
      // Muted unless asked: autoplay without a gesture; decoding and stats are unaffected.
      el.muted = !(audible && track.kind === "audio");
      el.playsInline = true;
      el.id = "remote-" + key;
      document.getElementById("remotes").appendChild(el);
      remoteElements.set(key, el);
    }
    const current = el.srcObject ? el.srcObject.getTracks() : [];
    if (current.length === 1 && current[0] === track) return; // unmuted again: nothing to do
    el.srcObject = new MediaStream([track]);
    if (measureClock && track.kind === "video") watchClock(el, key);
    const playing = el.play();
    if (playing && playing.catch) playing.catch((e) => log("warn", "play()", describe(e)));
    log("info", "remote", track.kind, "track on mid", key, "feed", midToFeed.get(key));
  }

  // ------------------------------------------------------------ publisher

  function onPublisherMessage(msg, jsep) {
    const event = msg.videoroom;
    if (event === "joined") {
      peer.myId = msg.id;
      privateId = msg.private_id;
      log("info", "publisher joined as", msg.id);
      if (publish) publishOwnFeed();
      else setJoined();
      onPublishers(msg.publishers);
    } else if (event === "event") {
      if (msg.error) {
        if (peer.state === "joining") fail("join: " + msg.error + " (code " + msg.error_code + ")");
        else log("warn", "publisher error", msg.error_code, msg.error);
      }
      if (msg.publishers) onPublishers(msg.publishers);
      if (msg.leaving !== undefined && msg.leaving !== "ok") onFeedGone(msg.leaving);
      if (msg.unpublished !== undefined && msg.unpublished !== "ok") onFeedGone(msg.unpublished);
    } else if (event === "destroyed") {
      fail("the room was destroyed");
    } else if (msg.error) {
      fail("videoroom: " + msg.error + " (code " + msg.error_code + ")");
    }
    if (jsep) {
      pubHandle.handleRemoteJsep({
        jsep: jsep,
        error: function (e) {
          fail("publisher answer: " + describe(e));
        },
      });
      if (msg.configured === "ok") {
        if (publish && !msg.video_codec) fail("Janus rejected our video");
        peer.outbound.codec = msg.video_codec || null;
        setJoined();
      }
    }
  }

  function publishOwnFeed() {
    pubHandle.createOffer({
      tracks: [
        { type: "audio", capture: true, recv: false },
        { type: "video", capture: source === "canvas-clock" ? startCanvasClock() : true, recv: false },
      ],
      success: function (offer) {
        pubHandle.send({
          message: { request: "publish", audiocodec: "opus", videocodec: "vp8", display: display },
          jsep: offer,
        });
      },
      error: function (e) {
        fail("publish (getUserMedia/offer): " + describe(e));
      },
    });
  }

  // ---------------------------------------------------------------- stats

  function pcOf(handle) {
    return handle && handle.webrtcStuff ? handle.webrtcStuff.pc : null;
  }

  async function pollInbound(pc) {
    const trackToMid = new Map();
    for (const t of pc.getTransceivers()) {
      if (t.mid !== null && t.receiver && t.receiver.track) trackToMid.set(t.receiver.track.id, t.mid);
    }
    const report = await pc.getStats();
    const t = now();
    report.forEach(function (r) {
      if (r.type !== "inbound-rtp") return;
      const mid = r.mid !== undefined ? String(r.mid) : trackToMid.get(r.trackIdentifier);
      if (mid === undefined) return;
      const seen = Object.assign({ frames: 0, audio: 0 }, midLastSeen.get(mid));
      if (r.kind === "video") seen.frames = r.framesDecoded || 0;
      else if (r.kind === "audio") seen.audio = r.packetsReceived || 0;
      midLastSeen.set(mid, seen);
      const feedId = midToFeed.get(mid);
      const feed = feedId === undefined ? null : feedsById.get(feedId);
      if (!feed) return;
      const base = midBaseline.get(mid) || { frames: 0, audio: 0 };
      if (r.kind === "video") {
        feed.framesDecoded = Math.max(0, seen.frames - base.frames);
        feed.framesPerSecond = r.framesPerSecond === undefined ? null : r.framesPerSecond;
        feed.frameWidth = r.frameWidth === undefined ? null : r.frameWidth;
        feed.frameHeight = r.frameHeight === undefined ? null : r.frameHeight;
        feed.packetsLost = r.packetsLost || 0;
        if (r.codecId && report.get(r.codecId)) feed.videoCodec = report.get(r.codecId).mimeType;
        const el = remoteElements.get(mid);
        if (el && el.tagName === "VIDEO") {
          // What the <video> element itself shows: proof that Chromium renders the track.
          feed.rendered = {
            videoWidth: el.videoWidth,
            videoHeight: el.videoHeight,
            currentTime: el.currentTime,
            paused: el.paused,
          };
        }
        if (feed.framesDecoded > 0 && feed.firstFrameMs === null) {
          feed.firstFrameMs = t;
          if (feed.subscribedMs !== null) feed.firstFrameAfterSubscribeMs = t - feed.subscribedMs;
          log("info", "first frame from feed", feed.feed_id, "at", Math.round(t), "ms");
          updateStatus();
        }
      } else if (r.kind === "audio") {
        feed.audioPacketsReceived = Math.max(0, seen.audio - base.audio);
        feed.audioLevel = r.audioLevel === undefined ? null : r.audioLevel;
      }
    });
  }

  async function pollOutbound(pc) {
    const report = await pc.getStats();
    let frames = 0;
    let video = 0;
    let audio = 0;
    let encodeSeconds = 0;
    let videoBytes = 0;
    report.forEach(function (r) {
      if (r.type !== "outbound-rtp") return;
      if (r.kind === "video") {
        frames += r.framesEncoded || 0;
        video += r.packetsSent || 0;
        encodeSeconds += r.totalEncodeTime || 0;
        videoBytes += r.bytesSent || 0;
        if (r.frameWidth) peer.outbound.frameWidth = r.frameWidth;
        if (r.frameHeight) peer.outbound.frameHeight = r.frameHeight;
        if (r.codecId && report.get(r.codecId)) peer.outbound.codec = report.get(r.codecId).mimeType;
      } else if (r.kind === "audio") {
        audio += r.packetsSent || 0;
      }
    });
    peer.outbound.framesEncoded = frames;
    peer.outbound.totalEncodeTime = encodeSeconds;
    peer.outbound.bytesSent = videoBytes;
    peer.outbound.packetsSent = video;
    peer.outbound.audioPacketsSent = audio;
  }

  let lastOutbound = -Infinity;
  let lastStatus = -Infinity;

  async function pollStats() {
    if (leaving) return;
    try {
      const sub = pcOf(subHandle);
      if (sub) await pollInbound(sub);
      const pub = pcOf(pubHandle);
      if (pub && now() - lastOutbound >= OUTBOUND_POLL_MS) {
        lastOutbound = now();
        await pollOutbound(pub);
      }
      if (now() - lastStatus >= 1000) {
        lastStatus = now();
        updateStatus();
      }
    } catch (e) {
      log("warn", "getStats", describe(e));
    }
    const waiting = feedList.some((f) => f.active && f.subscribedMs !== null && f.firstFrameMs === null);
    setTimeout(pollStats, waiting ? FAST_POLL_MS : SLOW_POLL_MS);
  }

  // ------------------------------------------------------------ lifecycle

  function leave() {
    leaving = true;
    peer.state = "left";
    try {
      if (janus) janus.destroy({ cleanupHandles: true });
    } catch (e) {
      log("warn", "leave", describe(e));
    }
    return true;
  }

  function start() {
    if (!server || !Number.isFinite(room)) {
      fail("missing query parameter server or room");
      return;
    }
    if (!Janus.isWebrtcSupported()) {
      fail("this browser has no WebRTC");
      return;
    }
    for (const level of ["warn", "error"]) {
      const original = Janus[level];
      Janus[level] = function (...args) {
        log(level, ...args);
        original(...args);
      };
    }
    janus = new Janus({
      server: server,
      iceServers: [], // no STUN: the hub is reached directly, and there is no network anyway
      destroyOnUnload: true,
      success: function () {
        janus.attach({
          plugin: VIDEOROOM,
          opaqueId: "echo-peer-pub-" + Janus.randomString(8),
          success: function (handle) {
            pubHandle = handle;
            handle.send({
              message: { request: "join", room: room, ptype: "publisher", display: display, pin: pin },
            });
          },
          error: function (e) {
            fail("publisher attach: " + describe(e));
          },
          iceState: function (state) {
            peer.publisherIce = state;
            log("info", "publisher ICE", state);
          },
          webrtcState: function (on) {
            log("info", "publisher PeerConnection", on ? "up" : "down");
          },
          slowLink: function (uplink, lost, mid) {
            log("warn", "slow link (publisher)", uplink ? "up" : "down", lost, "mid", mid);
          },
          onmessage: onPublisherMessage,
          onlocaltrack: showPreview, // only with preview=1: otherwise it would only cost CPU
          onremotetrack: function () {},
          oncleanup: function () {
            log("info", "publisher cleanup");
          },
        });
      },
      error: function (e) {
        fail("janus: " + describe(e));
      },
      destroyed: function () {
        log("info", "session destroyed");
      },
    });
    pollStats();
  }

  Janus.init({
    debug: ["warn", "error"],
    dependencies: Janus.useDefaultDependencies(),
    callback: start,
  });
})();
