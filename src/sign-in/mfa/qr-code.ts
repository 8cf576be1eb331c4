/**
 * A QR code (ISO/IEC 18004) for otpauth URIs, drawn on the server so the setup page makes no third-party
 * request: byte mode, error correction level M, versions 1 to 10 (up to 213 bytes), the mask of least
 * penalty. Output is the module matrix and an SVG path of its dark modules.
 */

/** Error correction codewords per block and number of blocks at level M, by version (index 0 unused). */
const ECC_PER_BLOCK_M = [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26];
const BLOCKS_M = [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5];
const MAX_VERSION = 10;
/** Format information: level M is 0b00. */
const FORMAT_LEVEL_M = 0;

type Matrix = boolean[][];

/** The dark (true) and light modules of `text` as a QR code, row by row (no quiet zone). */
export function qrMatrix(text: string): Matrix {
  const data = new TextEncoder().encode(text);
  const version = smallestVersion(data.length);
  const codewords = interleave(encodeData(data, version), version);
  const size = version * 4 + 17;
  const modules: Matrix = Array.from({ length: size }, () => Array<boolean>(size).fill(false));
  const reserved: Matrix = Array.from({ length: size }, () => Array<boolean>(size).fill(false));
  drawFunctionPatterns(modules, reserved, version);
  drawCodewords(modules, reserved, codewords);
  let best: { penalty: number; mask: number } = { penalty: Number.POSITIVE_INFINITY, mask: 0 };
  for (let mask = 0; mask < 8; mask++) {
    applyMask(modules, reserved, mask);
    drawFormatBits(modules, reserved, mask);
    const penalty = penaltyScore(modules);
    if (penalty < best.penalty) best = { penalty, mask };
    applyMask(modules, reserved, mask);
  }
  applyMask(modules, reserved, best.mask);
  drawFormatBits(modules, reserved, best.mask);
  return modules;
}

/** An SVG path (`M x y h1v1h-1z` per dark module) of `matrix`, offset by a `margin` of light modules. */
export function qrSvgPath(matrix: Matrix, margin = 4): string {
  const parts: string[] = [];
  matrix.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) parts.push(`M${x + margin} ${y + margin}h1v1h-1z`);
    });
  });
  return parts.join('');
}

function rawDataModules(version: number): number {
  let result = (16 * version + 128) * version + 64;
  if (version >= 2) {
    const align = Math.floor(version / 7) + 2;
    result -= (25 * align - 10) * align - 55;
    if (version >= 7) result -= 36;
  }
  return result;
}

function dataCodewords(version: number): number {
  const ecc = ECC_PER_BLOCK_M[version] ?? 0;
  const blocks = BLOCKS_M[version] ?? 0;
  return Math.floor(rawDataModules(version) / 8) - ecc * blocks;
}

function countBits(version: number): number {
  return version < 10 ? 8 : 16;
}

function smallestVersion(bytes: number): number {
  for (let version = 1; version <= MAX_VERSION; version++) {
    if (4 + countBits(version) + bytes * 8 <= dataCodewords(version) * 8) return version;
  }
  throw new RangeError('text too long for a QR code of version 10');
}

/** Mode indicator, count, bytes, terminator and pad codewords (§7.4). */
function encodeData(data: Uint8Array, version: number): number[] {
  const bits: number[] = [];
  const push = (value: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  push(0b0100, 4);
  push(data.length, countBits(version));
  for (const byte of data) push(byte, 8);
  const capacity = dataCodewords(version) * 8;
  push(0, Math.min(4, capacity - bits.length));
  push(0, (8 - (bits.length % 8)) % 8);
  const bytes: number[] = [];
  for (let i = 0; i < bits.length; i += 8) {
    bytes.push(bits.slice(i, i + 8).reduce((acc, bit) => (acc << 1) | bit, 0));
  }
  for (let pad = 0xec; bytes.length < capacity / 8; pad ^= 0xec ^ 0x11) bytes.push(pad);
  return bytes;
}

/** Splits into blocks, appends each block's Reed-Solomon codewords and interleaves them (§7.6). */
function interleave(data: number[], version: number): number[] {
  const blockCount = BLOCKS_M[version] ?? 1;
  const eccLength = ECC_PER_BLOCK_M[version] ?? 0;
  const raw = Math.floor(rawDataModules(version) / 8);
  const shortBlocks = blockCount - (raw % blockCount);
  const shortLength = Math.floor(raw / blockCount);
  const divisor = rsDivisor(eccLength);
  const blocks: number[][] = [];
  for (let i = 0, k = 0; i < blockCount; i++) {
    const block = data.slice(k, k + shortLength - eccLength + (i < shortBlocks ? 0 : 1));
    k += block.length;
    const ecc = rsRemainder(block, divisor);
    if (i < shortBlocks) block.push(0);
    blocks.push([...block, ...ecc]);
  }
  const result: number[] = [];
  for (let i = 0; i <= shortLength; i++) {
    blocks.forEach((block, j) => {
      const value = block[i];
      if (value !== undefined && (i !== shortLength - eccLength || j >= shortBlocks)) result.push(value);
    });
  }
  return result;
}

function gfMultiply(x: number, y: number): number {
  let z = 0;
  for (let i = 7; i >= 0; i--) {
    z = (z << 1) ^ ((z >>> 7) * 0x11d);
    z ^= ((y >>> i) & 1) * x;
  }
  return z;
}

function rsDivisor(degree: number): number[] {
  const result = Array<number>(degree).fill(0);
  result[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < degree; j++) {
      result[j] = gfMultiply(result[j] ?? 0, root) ^ (j + 1 < degree ? (result[j + 1] ?? 0) : 0);
    }
    root = gfMultiply(root, 0x02);
  }
  return result;
}

function rsRemainder(data: number[], divisor: number[]): number[] {
  const result = divisor.map(() => 0);
  for (const byte of data) {
    const factor = byte ^ (result.shift() ?? 0);
    result.push(0);
    divisor.forEach((coefficient, i) => {
      result[i] = (result[i] ?? 0) ^ gfMultiply(coefficient, factor);
    });
  }
  return result;
}

function setFunction(modules: Matrix, reserved: Matrix, x: number, y: number, dark: boolean): void {
  const row = modules[y];
  const mark = reserved[y];
  if (row === undefined || mark === undefined || x < 0 || x >= row.length) return;
  row[x] = dark;
  mark[x] = true;
}

function alignmentPositions(version: number, size: number): number[] {
  if (version === 1) return [];
  const count = Math.floor(version / 7) + 2;
  const step = Math.ceil((version * 4 + 4) / (count * 2 - 2)) * 2;
  const result = [6];
  for (let pos = size - 7; result.length < count; pos -= step) result.splice(1, 0, pos);
  return result;
}

function drawFunctionPatterns(modules: Matrix, reserved: Matrix, version: number): void {
  const size = modules.length;
  for (let i = 0; i < size; i++) {
    setFunction(modules, reserved, 6, i, i % 2 === 0);
    setFunction(modules, reserved, i, 6, i % 2 === 0);
  }
  for (const [cx, cy] of [
    [3, 3],
    [size - 4, 3],
    [3, size - 4],
  ] as const) {
    for (let dy = -4; dy <= 4; dy++) {
      for (let dx = -4; dx <= 4; dx++) {
        const distance = Math.max(Math.abs(dx), Math.abs(dy));
        if (cy + dy >= 0 && cy + dy < size) {
          setFunction(modules, reserved, cx + dx, cy + dy, distance !== 2 && distance !== 4);
        }
      }
    }
  }
  const positions = alignmentPositions(version, size);
  const last = positions.length - 1;
  positions.forEach((ay, i) => {
    positions.forEach((ax, j) => {
      if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) return;
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          setFunction(modules, reserved, ax + dx, ay + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
        }
      }
    });
  });
  drawFormatBits(modules, reserved, 0);
  drawVersionBits(modules, reserved, version);
}

function drawFormatBits(modules: Matrix, reserved: Matrix, mask: number): void {
  const size = modules.length;
  const data = (FORMAT_LEVEL_M << 3) | mask;
  let rem = data;
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
  const bits = ((data << 10) | rem) ^ 0x5412;
  const bit = (i: number) => ((bits >>> i) & 1) !== 0;
  const set = (x: number, y: number, dark: boolean) => setFunction(modules, reserved, x, y, dark);
  for (let i = 0; i <= 5; i++) set(8, i, bit(i));
  set(8, 7, bit(6));
  set(8, 8, bit(7));
  set(7, 8, bit(8));
  for (let i = 9; i < 15; i++) set(14 - i, 8, bit(i));
  for (let i = 0; i < 8; i++) set(size - 1 - i, 8, bit(i));
  for (let i = 8; i < 15; i++) set(8, size - 15 + i, bit(i));
  set(8, size - 8, true);
}

function drawVersionBits(modules: Matrix, reserved: Matrix, version: number): void {
  if (version < 7) return;
  let rem = version;
  for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25);
  const bits = (version << 12) | rem;
  const size = modules.length;
  for (let i = 0; i < 18; i++) {
    const dark = ((bits >>> i) & 1) !== 0;
    const a = size - 11 + (i % 3);
    const b = Math.floor(i / 3);
    setFunction(modules, reserved, a, b, dark);
    setFunction(modules, reserved, b, a, dark);
  }
}

/** Places the codeword bits in the zigzag of two-module columns, right to left (§7.7.3). */
function drawCodewords(modules: Matrix, reserved: Matrix, codewords: number[]): void {
  const size = modules.length;
  let i = 0;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    for (let vert = 0; vert < size; vert++) {
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        const upward = ((right + 1) & 2) === 0;
        const y = upward ? size - 1 - vert : vert;
        const row = modules[y];
        if (row && !reserved[y]?.[x] && i < codewords.length * 8) {
          row[x] = (((codewords[i >>> 3] ?? 0) >>> (7 - (i & 7))) & 1) !== 0;
          i++;
        }
      }
    }
  }
}

const MASKS: ((x: number, y: number) => boolean)[] = [
  (x, y) => (x + y) % 2 === 0,
  (_x, y) => y % 2 === 0,
  (x) => x % 3 === 0,
  (x, y) => (x + y) % 3 === 0,
  (x, y) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
  (x, y) => ((x * y) % 2) + ((x * y) % 3) === 0,
  (x, y) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
  (x, y) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
];

/** XORs mask `mask` over every non-function module (applying it twice undoes it). */
function applyMask(modules: Matrix, reserved: Matrix, mask: number): void {
  const invert = MASKS[mask] ?? MASKS[0];
  modules.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (!reserved[y]?.[x] && invert?.(x, y)) row[x] = !dark;
    });
  });
}

/** §7.8.3 penalty: runs of five or more, 2×2 blocks, finder-like patterns, and dark/light balance. */
function penaltyScore(modules: Matrix): number {
  const size = modules.length;
  const at = (x: number, y: number) => modules[y]?.[x] === true;
  let penalty = 0;
  const lines: boolean[][] = [];
  for (let i = 0; i < size; i++) {
    lines.push(Array.from({ length: size }, (_, j) => at(j, i)));
    lines.push(Array.from({ length: size }, (_, j) => at(i, j)));
  }
  const finderLike = [/10111010000/g, /00001011101/g];
  for (const line of lines) {
    let run = 1;
    for (let i = 1; i <= line.length; i++) {
      if (i < line.length && line[i] === line[i - 1]) run++;
      else {
        if (run >= 5) penalty += run - 2;
        run = 1;
      }
    }
    const text = line.map((dark) => (dark ? '1' : '0')).join('');
    for (const pattern of finderLike) penalty += (text.match(pattern)?.length ?? 0) * 40;
  }
  let dark = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (at(x, y)) dark++;
      if (x < size - 1 && y < size - 1) {
        const color = at(x, y);
        if (color === at(x + 1, y) && color === at(x, y + 1) && color === at(x + 1, y + 1)) penalty += 3;
      }
    }
  }
  const total = size * size;
  penalty += Math.floor(Math.abs(dark * 20 - total * 10) / total) * 10;
  return penalty;
}
