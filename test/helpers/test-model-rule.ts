// The documented rule of the generated test model (test/fixtures/README.md), computed independently of the model; and cosine similarity for tests.

/** Feature of an image with mean colour (r, g, b) in 0..1: colour excess, brightness, constant. */
export function imageFeature(r: number, g: number, b: number): number[] {
  const l = (r + g + b) / 3;
  return [r - l, g - l, b - l, l - 0.5, 0.1];
}

export const WORD_VECTORS: Record<string, number[]> = {
  red: [1, -0.5, -0.5, 0, 0],
  green: [-0.5, 1, -0.5, 0, 0],
  blue: [-0.5, -0.5, 1, 0, 0],
  bright: [0, 0, 0, 1, 0],
  dark: [0, 0, 0, -1, 0],
};

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return d / Math.sqrt(na * nb);
}
