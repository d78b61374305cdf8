// A QR code encoder (ISO/IEC 18004): byte mode, error correction level M, versions 1 to 10 —
// enough for a provider's scan URL — drawn as SVG. Written for the console; checked in CI
// against the Python `qrcode` package, module for module, under each of the eight masks.

// Per version 1–10 at level M: error-correction codewords per block, and the blocks' data sizes.
const BLOCKS = [
  null,
  [10, [16]],
  [16, [28]],
  [26, [44]],
  [18, [32, 32]],
  [24, [43, 43]],
  [16, [27, 27, 27, 27]],
  [18, [31, 31, 31, 31]],
  [22, [38, 38, 39, 39]],
  [22, [36, 36, 36, 37, 37]],
  [26, [43, 43, 43, 43, 44]],
];
const ALIGNMENT = [null, [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50]];
const LEVEL_M = 0b00;

// GF(256) with the polynomial x^8 + x^4 + x^3 + x^2 + 1.
const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
for (let i = 0, x = 1; i < 255; i++) {
  EXP[i] = x;
  LOG[x] = i;
  x = (x << 1) ^ (x & 0x80 ? 0x11d : 0);
}
for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255];
const mul = (a, b) => (a && b ? EXP[LOG[a] + LOG[b]] : 0);

/** The Reed–Solomon remainder of `data` for `n` error-correction codewords. */
function correction(data, n) {
  // The generator: the product of (x − α^i) for i < n, highest coefficient first (implicit 1).
  let generator = [1];
  for (let i = 0; i < n; i++) {
    const next = new Array(generator.length + 1).fill(0);
    generator.forEach((c, j) => {
      next[j] ^= c;
      next[j + 1] ^= mul(c, EXP[i]);
    });
    generator = next;
  }
  const remainder = new Array(n).fill(0);
  for (const byte of data) {
    const factor = byte ^ remainder.shift();
    remainder.push(0);
    for (let j = 0; j < n; j++) remainder[j] ^= mul(generator[j + 1], factor);
  }
  return remainder;
}

/** The codewords for `bytes` at `version`: data and correction, interleaved. */
function codewords(bytes, version) {
  const [eccLength, sizes] = BLOCKS[version];
  const capacity = sizes.reduce((a, b) => a + b, 0);
  const bits = [];
  const put = (value, length) => {
    for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  put(0b0100, 4);
  put(bytes.length, version < 10 ? 8 : 16);
  bytes.forEach((b) => put(b, 8));
  put(0, Math.min(4, capacity * 8 - bits.length));
  put(0, (8 - (bits.length % 8)) % 8);
  const data = [];
  for (let i = 0; i < bits.length; i += 8) data.push(bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0));
  for (let pad = 0xec; data.length < capacity; pad ^= 0xec ^ 0x11) data.push(pad);
  const blocks = [];
  let at = 0;
  for (const size of sizes) {
    const block = data.slice(at, at + size);
    at += size;
    blocks.push({ block, ecc: correction(block, eccLength) });
  }
  const out = [];
  for (let i = 0; i < Math.max(...sizes); i++) for (const { block } of blocks) if (i < block.length) out.push(block[i]);
  for (let i = 0; i < eccLength; i++) for (const { ecc } of blocks) out.push(ecc[i]);
  return out;
}

/** `value` followed by its BCH remainder under `generator`, a polynomial of degree `degree`. */
function bch(value, degree, generator) {
  let rem = value << degree;
  while (31 - Math.clz32(rem) >= degree) rem ^= generator << (31 - Math.clz32(rem) - degree);
  return (value << degree) | rem;
}

const MASKS = [
  (y, x) => (y + x) % 2 === 0,
  (y) => y % 2 === 0,
  (y, x) => x % 3 === 0,
  (y, x) => (y + x) % 3 === 0,
  (y, x) => (Math.floor(y / 2) + Math.floor(x / 3)) % 2 === 0,
  (y, x) => ((y * x) % 2) + ((y * x) % 3) === 0,
  (y, x) => (((y * x) % 2) + ((y * x) % 3)) % 2 === 0,
  (y, x) => (((y + x) % 2) + ((y * x) % 3)) % 2 === 0,
];

class Grid {
  constructor(version) {
    this.version = version;
    this.size = 17 + 4 * version;
    this.dark = Array.from({ length: this.size }, () => new Array(this.size).fill(false));
    this.fixed = Array.from({ length: this.size }, () => new Array(this.size).fill(false));
  }

  set(x, y, dark) {
    this.dark[y][x] = dark;
    this.fixed[y][x] = true;
  }

  functionPatterns() {
    const { size } = this;
    for (let i = 0; i < size; i++) {
      this.set(6, i, i % 2 === 0);
      this.set(i, 6, i % 2 === 0);
    }
    for (const [cx, cy] of [[3, 3], [size - 4, 3], [3, size - 4]]) {
      for (let dy = -4; dy <= 4; dy++) {
        for (let dx = -4; dx <= 4; dx++) {
          const x = cx + dx;
          const y = cy + dy;
          if (x < 0 || y < 0 || x >= size || y >= size) continue;
          const ring = Math.max(Math.abs(dx), Math.abs(dy));
          this.set(x, y, ring !== 2 && ring !== 4);
        }
      }
    }
    const centers = ALIGNMENT[this.version];
    for (const cy of centers) {
      for (const cx of centers) {
        const onFinder = (cx === 6 && cy === 6) || (cx === 6 && cy === centers.at(-1)) || (cx === centers.at(-1) && cy === 6);
        if (onFinder) continue;
        for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) this.set(cx + dx, cy + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
      }
    }
    this.format(0);
    if (this.version >= 7) {
      const bits = bch(this.version, 12, 0x1f25);
      for (let i = 0; i < 18; i++) {
        const dark = ((bits >>> i) & 1) === 1;
        const a = size - 11 + (i % 3);
        const b = Math.floor(i / 3);
        this.set(a, b, dark);
        this.set(b, a, dark);
      }
    }
  }

  format(mask) {
    const { size } = this;
    const bits = bch((LEVEL_M << 3) | mask, 10, 0x537) ^ 0x5412;
    const bit = (i) => ((bits >>> i) & 1) === 1;
    for (let i = 0; i <= 5; i++) this.set(8, i, bit(i));
    this.set(8, 7, bit(6));
    this.set(8, 8, bit(7));
    this.set(7, 8, bit(8));
    for (let i = 9; i < 15; i++) this.set(14 - i, 8, bit(i));
    for (let i = 0; i < 8; i++) this.set(size - 1 - i, 8, bit(i));
    for (let i = 8; i < 15; i++) this.set(8, size - 15 + i, bit(i));
    this.set(8, size - 8, true);
  }

  place(words) {
    const { size } = this;
    let i = 0;
    const total = words.length * 8;
    for (let right = size - 1; right >= 1; right -= 2) {
      if (right === 6) right = 5;
      const upward = ((right + 1) & 2) === 0;
      for (let step = 0; step < size; step++) {
        const y = upward ? size - 1 - step : step;
        for (const x of [right, right - 1]) {
          if (this.fixed[y][x]) continue;
          this.dark[y][x] = i < total && ((words[i >>> 3] >>> (7 - (i & 7))) & 1) === 1;
          i++;
        }
      }
    }
  }

  masked(mask) {
    const copy = new Grid(this.version);
    copy.fixed = this.fixed;
    copy.dark = this.dark.map((row, y) => row.map((dark, x) => (this.fixed[y][x] ? dark : dark !== MASKS[mask](y, x))));
    copy.format(mask);
    return copy;
  }

  /** The standard's penalty: runs, 2×2 blocks, finder look-alikes and imbalance. */
  penalty() {
    const { size, dark } = this;
    let score = 0;
    const lines = [];
    for (let i = 0; i < size; i++) {
      lines.push(dark[i]);
      lines.push(dark.map((row) => row[i]));
    }
    for (const line of lines) {
      let run = 1;
      for (let i = 1; i <= size; i++) {
        if (i < size && line[i] === line[i - 1]) run++;
        else {
          if (run >= 5) score += run - 2;
          run = 1;
        }
      }
      const text = line.map((d) => (d ? '1' : '0')).join('');
      for (const pattern of ['10111010000', '00001011101']) {
        for (let at = text.indexOf(pattern); at >= 0; at = text.indexOf(pattern, at + 1)) score += 40;
      }
    }
    let darkCount = 0;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        if (dark[y][x]) darkCount++;
        if (x < size - 1 && y < size - 1) {
          const c = dark[y][x];
          if (c === dark[y][x + 1] && c === dark[y + 1][x] && c === dark[y + 1][x + 1]) score += 3;
        }
      }
    }
    score += Math.floor(Math.abs((darkCount * 100) / (size * size) - 50) / 5) * 10;
    return score;
  }
}

/**
 * Encodes `text` (UTF-8) as a QR code; `mask` forces one of the eight masks, otherwise the one
 * with the lowest penalty is used. Returns `{version, size, modules}`, `modules[y][x]` true for
 * dark. Throws when the text is longer than version 10 holds (213 bytes).
 */
export function encode(text, mask = null) {
  const bytes = [...new TextEncoder().encode(text)];
  const version = BLOCKS.findIndex((b, v) => b && b[1].reduce((a, c) => a + c, 0) * 8 >= 4 + (v < 10 ? 8 : 16) + bytes.length * 8);
  if (version < 1) throw new Error('too long for a QR code of version 10');
  const grid = new Grid(version);
  grid.functionPatterns();
  grid.place(codewords(bytes, version));
  const candidates = mask === null ? MASKS.map((_, m) => grid.masked(m)) : [grid.masked(mask)];
  const best = candidates.reduce((a, b) => (b.penalty() < a.penalty() ? b : a));
  return { version, size: grid.size, modules: best.dark };
}

/** The QR code of `text` as an SVG element with a quiet zone, titled for screen readers. */
export function renderQr(text, title) {
  const { size, modules } = encode(text);
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  const span = size + 8;
  svg.setAttribute('viewBox', `0 0 ${span} ${span}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', title);
  svg.setAttribute('shape-rendering', 'crispEdges');
  const background = document.createElementNS(ns, 'rect');
  background.setAttribute('width', span);
  background.setAttribute('height', span);
  background.setAttribute('fill', '#fff');
  svg.append(background);
  let d = '';
  modules.forEach((row, y) => row.forEach((dark, x) => {
    if (dark) d += `M${x + 4} ${y + 4}h1v1h-1z`;
  }));
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', '#000');
  svg.append(path);
  return svg;
}
