/* Proof of work of the registration form (issue 3 §8): self-hosted, no third party,
 * no cookie. The page carries a signed challenge (input pow_challenge) and a difficulty
 * (data-pow-difficulty on the form). This file finds the smallest decimal counter such
 * that SHA-256(challenge + counter) starts with that many zero bits and writes it into
 * input pow_solution. It runs in a Web Worker (this same file) so the page stays
 * responsive, or in small slices on the page when workers are unavailable. Sending the
 * form before the check ends waits for it, then sends. */
(function () {
  "use strict";

  var K = new Int32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ]);
  var W = new Int32Array(64);
  var IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
            0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

  // One SHA-256 compression of the 64 bytes at ``at`` into ``state`` (8 words).
  function compress(state, bytes, at) {
    for (var t = 0; t < 16; t++) {
      var j = at + t * 4;
      W[t] = (bytes[j] << 24) | (bytes[j + 1] << 16) | (bytes[j + 2] << 8) | bytes[j + 3];
    }
    for (t = 16; t < 64; t++) {
      var w15 = W[t - 15], w2 = W[t - 2];
      var s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
      var s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
      W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
    }
    var a = state[0], b = state[1], c = state[2], d = state[3],
        e = state[4], f = state[5], g = state[6], h = state[7];
    for (t = 0; t < 64; t++) {
      var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      var temp1 = (h + S1 + ((e & f) ^ (~e & g)) + K[t] + W[t]) | 0;
      var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      var temp2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g; g = f; f = e; e = (d + temp1) | 0;
      d = c; c = b; b = a; a = (temp1 + temp2) | 0;
    }
    state[0] = (state[0] + a) | 0; state[1] = (state[1] + b) | 0;
    state[2] = (state[2] + c) | 0; state[3] = (state[3] + d) | 0;
    state[4] = (state[4] + e) | 0; state[5] = (state[5] + f) | 0;
    state[6] = (state[6] + g) | 0; state[7] = (state[7] + h) | 0;
  }

  // A test for counters of one challenge (ASCII): the 64-byte blocks of the challenge
  // that no counter reaches are hashed once, then each counter hashes only the rest.
  function solver(challenge, zeroBits) {
    var fixed = challenge.length - (challenge.length % 64);
    var midstate = new Int32Array(IV);
    var head = new Uint8Array(fixed);
    for (var i = 0; i < fixed; i++) head[i] = challenge.charCodeAt(i) & 0xff;
    for (i = 0; i < fixed; i += 64) compress(midstate, head, i);
    var restLength = challenge.length - fixed;
    var tail = new Uint8Array(192);
    for (i = 0; i < restLength; i++) tail[i] = challenge.charCodeAt(fixed + i) & 0xff;
    var state = new Int32Array(8);
    return function (counter) {
      var digits = 1;
      for (var power = 10; counter >= power; power *= 10) digits++;
      var length = restLength + digits, value = counter;
      for (var k = length - 1; k >= restLength; k--) {
        tail[k] = 48 + (value % 10);
        value = Math.floor(value / 10);
      }
      var blocks = (length + 9 + 63) >> 6, end = blocks * 64;
      tail.fill(0, length + 1, end);
      tail[length] = 0x80;
      var bits = (fixed + length) * 8;
      tail[end - 4] = (bits >>> 24) & 0xff;
      tail[end - 3] = (bits >>> 16) & 0xff;
      tail[end - 2] = (bits >>> 8) & 0xff;
      tail[end - 1] = bits & 0xff;
      state.set(midstate);
      for (k = 0; k < end; k += 64) compress(state, tail, k);
      var left = zeroBits, word = 0;
      while (left >= 32) {
        if (state[word] !== 0) return false;
        left -= 32; word++;
      }
      return left === 0 || ((state[word] >>> 0) >>> (32 - left)) === 0;
    };
  }

  // Counters from ``from``, ``count`` of them; the solution or -1.
  function search(test, from, count) {
    for (var counter = from; counter < from + count; counter++) {
      if (test(counter)) return counter;
    }
    return -1;
  }

  // --- In the Web Worker -----------------------------------------------------------------
  if (typeof document === "undefined") {
    self.onmessage = function (message) {
      var test = solver(String(message.data.challenge), message.data.bits | 0);
      for (var from = 0; from < 4294967296; from += 50000) {
        var found = search(test, from, 50000);
        if (found >= 0) {
          self.postMessage({ solution: String(found) });
          return;
        }
      }
      self.postMessage({ error: "no solution" });
    };
    return;
  }

  // --- On the page -----------------------------------------------------------------------
  var script = document.currentScript;
  function start() {
    var form = document.getElementById("registration-form");
    if (!form || !form.getAttribute("data-pow-difficulty")) return;
    var zeroBits = parseInt(form.getAttribute("data-pow-difficulty"), 10) || 0;
    var challenge = form.querySelector('input[name="pow_challenge"]');
    var solution = form.querySelector('input[name="pow_solution"]');
    var status = document.getElementById("pow-status");
    if (!challenge || !solution || !challenge.value) return;
    var done = false, waiting = false;

    function say(key) {
      if (status) status.textContent = status.getAttribute("data-" + key) || "";
    }
    function finish(found) {
      if (done) return;
      solution.value = String(found);
      done = true;
      say("done");
      if (waiting) form.submit();
    }
    function onPage() {  // no worker: slices of work between frames
      var from = 0, test = solver(challenge.value, zeroBits);
      (function slice() {
        var found = search(test, from, 5000);
        if (found >= 0) return finish(found);
        from += 5000;
        setTimeout(slice, 0);
      })();
    }

    form.addEventListener("submit", function (event) {
      if (done) return;
      event.preventDefault();
      waiting = true;
      say("working");
    });
    say("working");
    var worker = null;
    try {
      worker = new Worker(script.src);
    } catch (error) {
      worker = null;
    }
    if (!worker) return onPage();
    worker.onmessage = function (message) {
      if (message.data.solution !== undefined) finish(message.data.solution);
      else say("failed");
    };
    worker.onerror = function (event) {
      if (event && event.preventDefault) event.preventDefault();
      worker.terminate();
      onPage();
    };
    worker.postMessage({ challenge: challenge.value, bits: zeroBits });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
