#!/usr/bin/env python3
"""Draws Mandate's app icon (a shield with a check mark) as RGBA PNGs, with no dependencies.

Tauri's generate_context! needs icons/icon.png as an RGBA PNG; re-run this to regenerate:
    python3 scripts/make-icon.py
"""
import math
import struct
import sys
import zlib
from pathlib import Path


def png(size: int) -> bytes:
    rows = []
    for y in range(size):
        row = bytearray([0])  # filter type 0
        for x in range(size):
            u, v = (x + 0.5) / size, (y + 0.5) / size
            # Rounded square background.
            r = 0.18
            dx, dy = max(abs(u - 0.5) - (0.5 - r), 0), max(abs(v - 0.5) - (0.5 - r), 0)
            if math.hypot(dx, dy) > r:
                row += bytes([0, 0, 0, 0])
                continue
            col = (31, 41, 55)
            # Shield: straight top, sides curving to a point.
            top, bottom = 0.2, 0.84
            if top <= v <= bottom:
                t = (v - top) / (bottom - top)
                half = 0.28 if t < 0.45 else 0.28 * math.cos((t - 0.45) / 0.55 * math.pi / 2)
                if abs(u - 0.5) <= half:
                    col = (79, 70, 229)
                    # Check mark: two thick strokes.
                    def seg(ax, ay, bx, by):
                        px, py = u - ax, v - ay
                        qx, qy = bx - ax, by - ay
                        h = max(0.0, min(1.0, (px * qx + py * qy) / (qx * qx + qy * qy)))
                        return math.hypot(px - qx * h, py - qy * h)
                    if min(seg(0.37, 0.5, 0.47, 0.6), seg(0.47, 0.6, 0.65, 0.38)) < 0.045:
                        col = (255, 255, 255)
            row += bytes([*col, 255])
        rows.append(bytes(row))
    raw = b"".join(rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "icons")
    out.mkdir(parents=True, exist_ok=True)
    for name, size in [("icon.png", 512), ("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256)]:
        (out / name).write_bytes(png(size))
        print(f"wrote {out / name}")
