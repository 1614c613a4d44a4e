;; PIL's 8-bit separable resampling (libImaging/Resample.c, ImagingResampleHorizontal_8bpc and
;; ImagingResampleVertical_8bpc) for 3-channel images, with WebAssembly SIMD: the same int32 sums (8-bit values times
;; 22-bit fixed-point weights, wrapping as PIL's int does), the same shift and the same clip to 0..255 (the two
;; saturating narrows), so the output is bit-identical to the JavaScript version in model/preprocess.ts.
;; `normalize` is ToTensor + Normalize through a table of the 3 x 256 float32 results (preprocess.ts computes it);
;; `stretch3` is raster/stretch.ts's 8-bit display stretch of three bands into interleaved RGB.
;; Assembled by scripts/build-wasm.mjs into pixels-wasm.generated.ts.
(module
  (memory (export "memory") 1)

  ;; Horizontal pass over `rows` rows of `src` (3 bytes a pixel, `srcStride` bytes a row) into `dst` (outW pixels a
  ;; row, packed). Output pixel xx reads input pixels bounds[2xx] .. bounds[2xx] + bounds[2xx+1] - 1 with weights
  ;; kk[xx * ksize ..]. Lanes hold R, G, B and one byte past the pixel, whose sum is discarded: `src` needs one
  ;; readable byte past its end, `dst` one writable byte past its end.
  (func (export "hpass") (param $src i32) (param $srcStride i32) (param $rows i32) (param $outW i32)
        (param $bounds i32) (param $kk i32) (param $ksize i32) (param $dst i32)
    (local $y i32) (local $xx i32) (local $row i32) (local $p i32) (local $x i32) (local $xmax i32)
    (local $k i32) (local $b i32) (local $acc v128) (local $t v128)
    (local.set $row (local.get $src))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $rows)))
        (local.set $xx (i32.const 0))
        (block $pixelsDone
          (loop $pixelLoop
            (br_if $pixelsDone (i32.ge_u (local.get $xx) (local.get $outW)))
            (local.set $b (i32.add (local.get $bounds) (i32.shl (local.get $xx) (i32.const 3))))
            (local.set $p (i32.add (local.get $row) (i32.mul (i32.load (local.get $b)) (i32.const 3))))
            (local.set $xmax (i32.load offset=4 (local.get $b)))
            (local.set $k (i32.add (local.get $kk) (i32.shl (i32.mul (local.get $xx) (local.get $ksize)) (i32.const 2))))
            (local.set $acc (i32x4.splat (i32.const 2097152)))
            (local.set $x (i32.const 0))
            (block $tapsDone
              (loop $tapLoop
                (br_if $tapsDone (i32.ge_u (local.get $x) (local.get $xmax)))
                (local.set $acc
                  (i32x4.add (local.get $acc)
                    (i32x4.mul
                      (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $p))))
                      (i32x4.splat (i32.load (local.get $k))))))
                (local.set $p (i32.add (local.get $p) (i32.const 3)))
                (local.set $k (i32.add (local.get $k) (i32.const 4)))
                (local.set $x (i32.add (local.get $x) (i32.const 1)))
                (br $tapLoop)))
            (local.set $acc (i32x4.shr_s (local.get $acc) (i32.const 22)))
            (local.set $t (i16x8.narrow_i32x4_s (local.get $acc) (local.get $acc)))
            (v128.store32_lane 0 (local.get $dst) (i8x16.narrow_i16x8_u (local.get $t) (local.get $t)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 3)))
            (local.set $xx (i32.add (local.get $xx) (i32.const 1)))
            (br $pixelLoop)))
        (local.set $row (i32.add (local.get $row) (local.get $srcStride)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $rowLoop))))

  ;; Vertical pass: output row yy sums rows bounds[2yy] - first .. of `src` (`stride` bytes a row, the rows the
  ;; horizontal pass produced, starting at input row `first`) with weights kk[yy * ksize ..], eight bytes at a time:
  ;; `src` and `dst` need seven readable / writable bytes past their ends.
  (func (export "vpass") (param $src i32) (param $stride i32) (param $outH i32) (param $bounds i32)
        (param $kk i32) (param $ksize i32) (param $first i32) (param $dst i32)
    (local $yy i32) (local $i i32) (local $y i32) (local $ymax i32) (local $kbase i32) (local $k i32)
    (local $base i32) (local $p i32) (local $b i32) (local $a0 v128) (local $a1 v128) (local $v v128)
    (local $w v128) (local $t v128)
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $yy) (local.get $outH)))
        (local.set $b (i32.add (local.get $bounds) (i32.shl (local.get $yy) (i32.const 3))))
        (local.set $base
          (i32.add (local.get $src) (i32.mul (i32.sub (i32.load (local.get $b)) (local.get $first)) (local.get $stride))))
        (local.set $ymax (i32.load offset=4 (local.get $b)))
        (local.set $kbase (i32.add (local.get $kk) (i32.shl (i32.mul (local.get $yy) (local.get $ksize)) (i32.const 2))))
        (local.set $i (i32.const 0))
        (block $chunksDone
          (loop $chunkLoop
            (br_if $chunksDone (i32.ge_u (local.get $i) (local.get $stride)))
            (local.set $a0 (i32x4.splat (i32.const 2097152)))
            (local.set $a1 (local.get $a0))
            (local.set $p (i32.add (local.get $base) (local.get $i)))
            (local.set $k (local.get $kbase))
            (local.set $y (i32.const 0))
            (block $tapsDone
              (loop $tapLoop
                (br_if $tapsDone (i32.ge_u (local.get $y) (local.get $ymax)))
                (local.set $v (i16x8.extend_low_i8x16_u (v128.load64_zero (local.get $p))))
                (local.set $w (i32x4.splat (i32.load (local.get $k))))
                (local.set $a0 (i32x4.add (local.get $a0) (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $v)) (local.get $w))))
                (local.set $a1 (i32x4.add (local.get $a1) (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $v)) (local.get $w))))
                (local.set $p (i32.add (local.get $p) (local.get $stride)))
                (local.set $k (i32.add (local.get $k) (i32.const 4)))
                (local.set $y (i32.add (local.get $y) (i32.const 1)))
                (br $tapLoop)))
            (local.set $t
              (i16x8.narrow_i32x4_s (i32x4.shr_s (local.get $a0) (i32.const 22)) (i32x4.shr_s (local.get $a1) (i32.const 22))))
            (v128.store64_lane 0 (i32.add (local.get $dst) (local.get $i)) (i8x16.narrow_i16x8_u (local.get $t) (local.get $t)))
            (local.set $i (i32.add (local.get $i) (i32.const 8)))
            (br $chunkLoop)))
        (local.set $dst (i32.add (local.get $dst) (local.get $stride)))
        (local.set $yy (i32.add (local.get $yy) (i32.const 1)))
        (br $rowLoop))))
  ;; n RGB pixels at `src` -> three planes of n float32 at `dst` (CHW), each value looked up in `lut` (3 x 256 float32,
  ;; one table per channel).
  (func (export "normalize") (param $src i32) (param $n i32) (param $lut i32) (param $dst i32)
    (local $i i32) (local $g i32) (local $b i32)
    (local.set $g (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $b (i32.add (local.get $g) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $pixel
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (f32.store (local.get $dst)
          (f32.load (i32.add (local.get $lut) (i32.shl (i32.load8_u (local.get $src)) (i32.const 2)))))
        (f32.store (local.get $g)
          (f32.load offset=1024 (i32.add (local.get $lut) (i32.shl (i32.load8_u offset=1 (local.get $src)) (i32.const 2)))))
        (f32.store (local.get $b)
          (f32.load offset=2048 (i32.add (local.get $lut) (i32.shl (i32.load8_u offset=2 (local.get $src)) (i32.const 2)))))
        (local.set $src (i32.add (local.get $src) (i32.const 3)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $g (i32.add (local.get $g) (i32.const 4)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $pixel))))
  ;; Three 8-bit bands (`n` bytes each at b0, b1, b2) through their tables (`lut`: 3 x 256 bytes) into `out` (n RGB
  ;; pixels), where `valid` is not 0; invalid pixels are left as they are. Returns the count of valid pixels.
  (func (export "stretch3") (param $b0 i32) (param $b1 i32) (param $b2 i32) (param $valid i32) (param $n i32)
        (param $lut i32) (param $out i32) (result i32)
    (local $i i32) (local $count i32)
    (block $done
      (loop $pixel
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.load8_u (i32.add (local.get $valid) (local.get $i)))
          (then
            (i32.store8 (local.get $out)
              (i32.load8_u (i32.add (local.get $lut) (i32.load8_u (i32.add (local.get $b0) (local.get $i))))))
            (i32.store8 offset=1 (local.get $out)
              (i32.load8_u offset=256 (i32.add (local.get $lut) (i32.load8_u (i32.add (local.get $b1) (local.get $i))))))
            (i32.store8 offset=2 (local.get $out)
              (i32.load8_u offset=512 (i32.add (local.get $lut) (i32.load8_u (i32.add (local.get $b2) (local.get $i))))))
            (local.set $count (i32.add (local.get $count) (i32.const 1)))))
        (local.set $out (i32.add (local.get $out) (i32.const 3)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $pixel)))
    (local.get $count)))
