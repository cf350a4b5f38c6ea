"""Writes a synthetic text-line image, normalised as PaddleOCR feeds its
models, to an .npy file: dark strokes on a white page, the kind of input
the OCR models were trained on (on uniform noise the detector's sigmoid
output is ~1e-7 everywhere, so a relative comparison would measure float
round-off of nothing).

Usage: text_image.py det|rec HEIGHT WIDTH SEED OUT.npy
  det: ImageNet mean/std normalisation (PP-OCR text detection)
  rec: (x - 0.5) / 0.5 (PP-OCR recognition and direction classifier)
"""
import sys

import numpy as np

kind, h, w, seed, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    int(sys.argv[4]), sys.argv[5]
rng = np.random.default_rng(seed)
img = np.ones((3, h, w), np.float32)
# Glyph-like strokes along a few text lines.
for line in range(max(1, h // 24)):
    y0 = 4 + line * 24
    x = 4
    while x < w - 8:
        gw = int(rng.integers(3, 9))
        gh = int(rng.integers(8, 16))
        top = y0 + int(rng.integers(0, 4))
        img[:, top:top + gh, x:x + 2] = 0.1
        img[:, top:top + 2, x:x + gw] = 0.1
        x += gw + int(rng.integers(2, 6))
if kind == "det":
    mean = np.array([0.485, 0.456, 0.406], np.float32)[:, None, None]
    std = np.array([0.229, 0.224, 0.225], np.float32)[:, None, None]
    img = (img - mean) / std
else:
    img = (img - 0.5) / 0.5
np.save(out, img[None].astype(np.float32))
