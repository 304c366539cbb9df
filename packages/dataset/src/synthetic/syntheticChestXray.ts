import { seededRandom } from './seededRandom';

// Math's functions bound once: a global lookup per pixel is slow where code runs in a vm context (Jest).
const { PI, abs, cos, exp, floor, max, min, sqrt } = Math;


/** Options of {@link renderSyntheticChestXray}. */
export interface SyntheticChestXrayOptions {
  /** Width and height in pixels. */
  size: number;
  /** Draw covid-like opacities: bright, diffuse, patchy blobs in the lower lung fields. */
  opacities: boolean;
  /**
   * Draw a pneumonia-like lobar consolidation instead: one large, dense, sharply bounded opacity in the upper or
   * middle zone of one lung (a crude caricature of bacterial pneumonia); default false. Images drawn without it are
   * unchanged (its parameters are drawn from the generator only when it is set).
   */
  consolidation?: boolean;
  /** Any string or number; the same seed draws the same image. */
  seed: string | number;
}

/** Smoothstep from 0 (d <= -w) to 1 (d >= w): soft anatomical edges. */
function soft(d: number, w: number): number {
  const t = min(1, max(0, (d + w) / (2 * w)));
  return t * t * (3 - 2 * t);
}

/** 1 inside the ellipse (centre cx, cy; radii rx, ry), 0 outside, with a soft edge of width w. */
function ellipse(u: number, v: number, cx: number, cy: number, rx: number, ry: number, w: number): number {
  const r = sqrt(((u - cx) / rx) ** 2 + ((v - cy) / ry) ** 2);
  return soft(1 - r, w);
}

/** A smooth random field in [0, 1]: a coarse grid of random values, bilinearly interpolated. */
function smoothNoise(size: number, grid: number, rng: ReturnType<typeof seededRandom>): Float32Array {
  const g = Array.from({ length: (grid + 1) * (grid + 1) }, () => rng.next());
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    const gy = (y / size) * grid;
    const y0 = floor(gy);
    const fy = gy - y0;
    for (let x = 0; x < size; x++) {
      const gx = (x / size) * grid;
      const x0 = floor(gx);
      const fx = gx - x0;
      const a = g[y0 * (grid + 1) + x0];
      const b = g[y0 * (grid + 1) + x0 + 1];
      const c = g[(y0 + 1) * (grid + 1) + x0];
      const d = g[(y0 + 1) * (grid + 1) + x0 + 1];
      out[y * size + x] = (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy;
    }
  }
  return out;
}

/**
 * Draws a SYNTHETIC frontal chest radiograph: a bright body outline with neck, two dark lung fields with
 * faint ribs, the heart shadow and spine, smooth noise; with `opacities`, 4 to 7 bright, diffuse, patchy
 * blobs in the lower lung fields (a crude caricature of COVID-19 ground-glass opacities). Not a real image
 * and not realistic enough for anything but testing the pipeline: the class difference is deliberately easy.
 *
 * @returns row-major intensities in [0, 1], `size * size` of them (0 black, 1 white).
 */
export function renderSyntheticChestXray(options: SyntheticChestXrayOptions): Float32Array {
  const { size, opacities } = options;
  const rng = seededRandom(`cxr-synthetic:${options.seed}`);
  const cx = 0.5 + rng.normal(0, 0.012);
  const s = rng.uniform(0.95, 1.05);
  const bodyLevel = rng.uniform(0.6, 0.66);
  const lungLevel = rng.uniform(0.15, 0.2);
  const lungs = [
    { cx: cx - 0.2 * s, cy: 0.52, rx: 0.145 * s, ry: 0.31 * s },
    { cx: cx + 0.2 * s, cy: 0.52, rx: 0.135 * s, ry: 0.29 * s },
  ];
  const heart = { cx: cx + 0.06 * s, cy: 0.68, rx: 0.15 * s, ry: 0.13 * s };
  const ribPhase = rng.uniform(0, 1);
  const texture = smoothNoise(size, 12, rng);
  const blobs = opacities
    ? Array.from({ length: rng.int(4, 7) }, (_, k) => {
        // Bilateral: the blobs alternate between the lungs.
        const side = k % 2;
        const lung = lungs[side];
        // Peripheral (lateral) and basal, as COVID-19 opacities tend to be.
        const outward = side === 0 ? -1 : 1;
        return {
          cx: lung.cx + outward * abs(rng.normal(0.3, 0.3)) * lung.rx,
          cy: lung.cy + rng.uniform(0.06, 0.22) * s,
          sigma: rng.uniform(0.055, 0.095),
          amp: rng.uniform(0.28, 0.4),
        };
      })
    : [];
  const patches = smoothNoise(size, 24, rng);
  const lobe = options.consolidation
    ? (() => {
        const lung = lungs[rng.int(0, 1)];
        return { cx: lung.cx + rng.normal(0, 0.02), cy: lung.cy - rng.uniform(0.05, 0.15) * s, rx: lung.rx * rng.uniform(0.55, 0.75), ry: lung.ry * rng.uniform(0.3, 0.4), amp: rng.uniform(0.35, 0.45) };
      })()
    : null;
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    const v = (y + 0.5) / size;
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5) / size;
      const i = y * size + x;
      const neck = soft(0.1 * s - abs(u - cx), 0.02) * soft(0.2 - v, 0.04);
      // A boxy super-ellipse (exponent 4): broad shoulders, rounded flanks.
      const bu = ((u - cx) / (0.46 * s)) ** 2;
      const bv = ((v - 0.62) / (0.52 * s)) ** 2;
      const rb = sqrt(sqrt(bu * bu + bv * bv));
      const body = max(soft(1 - rb, 0.05), neck);
      let value = 0.04 + body * bodyLevel;
      let lungMask = 0;
      for (const l of lungs) {
        // Lungs narrow towards the apex.
        const rx = l.rx * (0.68 + 0.32 * soft(v - (l.cy - 0.12), 0.16));
        const m = ellipse(u, v, l.cx, l.cy, rx, l.ry, 0.1);
        if (m <= 0) continue;
        lungMask = max(lungMask, m);
        // Posterior ribs: bright bands that curve down towards the sides, wider apart lower down.
        const lateral = (u - l.cx) / l.rx;
        const depth = v - 0.12 - 0.05 * lateral * lateral;
        const ribCoord = sqrt(max(0, depth)) / 0.07 + ribPhase;
        const c = max(0, cos(2 * PI * ribCoord));
        const rib = c * c * c;
        value = value * (1 - m) + m * (lungLevel + 0.07 * rib);
      }
      const h = ellipse(u, v, heart.cx, heart.cy, heart.rx, heart.ry, 0.25);
      value = value * (1 - 0.8 * h) + 0.55 * 0.8 * h;
      value += 0.07 * soft(0.035 - abs(u - cx), 0.02) * body;
      let opacity = 0;
      for (const b of blobs) {
        const d2 = (u - b.cx) ** 2 + (v - b.cy) ** 2;
        if (d2 > 9 * b.sigma * b.sigma) continue;
        opacity += b.amp * exp(-d2 / (2 * b.sigma * b.sigma));
      }
      if (lobe) opacity += lobe.amp * ellipse(u, v, lobe.cx, lobe.cy, lobe.rx, lobe.ry, 0.15);
      value += min(0.42, opacity) * lungMask * (1 - 0.7 * h) * (0.4 + 0.6 * patches[i]);
      value += 0.06 * (texture[i] - 0.5) + rng.normal(0, 0.012);
      out[i] = min(1, max(0, value));
    }
  }
  return out;
}
