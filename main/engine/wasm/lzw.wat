;; TIFF LZW decoding (MSB-first codes of 9 to 12 bits, "early change"), the same algorithm and the same outcomes as
;; decodeLzwScalar in raster/block-codecs.ts: each dictionary entry is (start, length) in the output already written
;; and emitting it is a forward copy, as libtiff does. Assembled by scripts/build-wasm.mjs into lzw-wasm.generated.ts.
(module
  (memory (export "memory") 1)

  ;; Decodes `inLen` bytes at `src` (followed by at least 2 zero bytes) into at most `limit` bytes at `dst` (with 8
  ;; writable bytes past them), with the
  ;; tables at `tables` (4096 starts then 4096 lengths, int32). Returns the bytes written, or -1 (a code right after a
  ;; clear code) or -2 (a code past the dictionary), the code and the dictionary size then at `tables` and
  ;; `tables + 4`.
  (func (export "lzw") (param $src i32) (param $inLen i32) (param $dst i32) (param $limit i32) (param $tables i32)
        (result i32)
    (local $o i32) (local $bitPos i32) (local $codeLen i32) (local $next i32) (local $old i32) (local $oldStart i32)
    (local $oldLen i32) (local $justCleared i32) (local $byte i32) (local $p i32) (local $code i32) (local $at i32)
    (local $n i32) (local $end i32) (local $i i32) (local $lengths i32)
    (local.set $codeLen (i32.const 9))
    (local.set $next (i32.const 258))
    (local.set $old (i32.const -1))
    (local.set $lengths (i32.add (local.get $tables) (i32.const 16384)))
    (block $done
      (loop $codes
        (br_if $done (i32.ge_u (local.get $o) (local.get $limit)))
        (local.set $byte (i32.shr_u (local.get $bitPos) (i32.const 3)))
        (br_if $done (i32.ge_u (local.get $byte) (local.get $inLen)))
        (local.set $p (i32.add (local.get $src) (local.get $byte)))
        (local.set $code
          (i32.and
            (i32.shr_u
              (i32.or (i32.or (i32.shl (i32.load8_u (local.get $p)) (i32.const 16))
                              (i32.shl (i32.load8_u offset=1 (local.get $p)) (i32.const 8)))
                      (i32.load8_u offset=2 (local.get $p)))
              (i32.sub (i32.sub (i32.const 24) (i32.and (local.get $bitPos) (i32.const 7))) (local.get $codeLen)))
            (i32.sub (i32.shl (i32.const 1) (local.get $codeLen)) (i32.const 1))))
        (local.set $bitPos (i32.add (local.get $bitPos) (local.get $codeLen)))
        (br_if $done (i32.eq (local.get $code) (i32.const 257)))
        (if (i32.eq (local.get $code) (i32.const 256))
          (then
            (local.set $next (i32.const 258))
            (local.set $codeLen (i32.const 9))
            (local.set $old (i32.const -1))
            (local.set $justCleared (i32.const 1))
            (br $codes)))
        (local.set $at (local.get $o))
        (if (i32.lt_u (local.get $code) (i32.const 256))
          (then
            (i32.store8 (i32.add (local.get $dst) (local.get $o)) (local.get $code))
            (local.set $o (i32.add (local.get $o) (i32.const 1)))
            (local.set $n (i32.const 1)))
          (else
            (if (i32.lt_u (local.get $code) (local.get $next))
              (then
                (local.set $n (i32.load (i32.add (local.get $lengths) (i32.shl (local.get $code) (i32.const 2)))))
                (local.set $i (i32.load (i32.add (local.get $tables) (i32.shl (local.get $code) (i32.const 2))))))
              (else
                (if (i32.and (i32.eq (local.get $code) (local.get $next)) (i32.ge_s (local.get $old) (i32.const 0)))
                  (then
                    (local.set $n (i32.add (local.get $oldLen) (i32.const 1)))
                    (local.set $i (local.get $oldStart)))
                  (else
                    (i32.store (local.get $tables) (local.get $code))
                    (i32.store offset=4 (local.get $tables) (local.get $next))
                    (return (select (i32.const -1) (i32.const -2) (local.get $justCleared)))))))
            ;; Copy n bytes from out[i] to out[o], forward (the KwKwK string overlaps itself), stopping at limit.
            (local.set $end (i32.add (local.get $o) (local.get $n)))
            (if (i32.gt_u (local.get $end) (local.get $limit)) (then (local.set $end (local.get $limit))))
            ;; Eight bytes at a time when the source lies at least eight bytes behind (the copy may run up to seven
            ;; bytes past `end`, into output written later or the padding past `limit`), else byte by byte.
            (if (i32.ge_u (i32.sub (local.get $o) (local.get $i)) (i32.const 8))
              (then
                (block $copied8
                  (loop $copy8
                    (br_if $copied8 (i32.ge_u (local.get $o) (local.get $end)))
                    (i64.store (i32.add (local.get $dst) (local.get $o)) (i64.load (i32.add (local.get $dst) (local.get $i))))
                    (local.set $o (i32.add (local.get $o) (i32.const 8)))
                    (local.set $i (i32.add (local.get $i) (i32.const 8)))
                    (br $copy8)))
                (local.set $o (local.get $end)))
              (else
                (block $copied
                  (loop $copy
                    (br_if $copied (i32.ge_u (local.get $o) (local.get $end)))
                    (i32.store8 (i32.add (local.get $dst) (local.get $o)) (i32.load8_u (i32.add (local.get $dst) (local.get $i))))
                    (local.set $o (i32.add (local.get $o) (i32.const 1)))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (br $copy)))))))
        (if (i32.and (i32.ge_s (local.get $old) (i32.const 0)) (i32.lt_u (local.get $next) (i32.const 4096)))
          (then
            (i32.store (i32.add (local.get $tables) (i32.shl (local.get $next) (i32.const 2))) (local.get $oldStart))
            (i32.store (i32.add (local.get $lengths) (i32.shl (local.get $next) (i32.const 2))) (i32.add (local.get $oldLen) (i32.const 1)))
            (local.set $next (i32.add (local.get $next) (i32.const 1)))))
        (local.set $justCleared (i32.const 0))
        (local.set $old (local.get $code))
        (local.set $oldStart (local.get $at))
        (local.set $oldLen (local.get $n))
        (if (i32.ge_u (i32.add (local.get $next) (i32.const 1)) (i32.shl (i32.const 1) (local.get $codeLen)))
          (then
            (if (i32.lt_u (local.get $codeLen) (i32.const 12))
              (then (local.set $codeLen (i32.add (local.get $codeLen) (i32.const 1))))
              (else (local.set $old (i32.const -1))))))
        (br $codes)))
    (local.get $o)))
