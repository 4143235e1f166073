#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""check-screen.py PNG WIDTH HEIGHT: does hv-vmm's screendump show console text?

Decodes the PNG that hv-vmm writes (8-bit RGB, filter type 0 on every row), checks its
size, and counts the pixels that are not black in the top eight text rows (16 pixels
each, the kernel's VGA 8x16 font). Console text lights some 5 to 20 percent of them; a
blank or unchanged screen none. Exit status 0 when at least 1 percent are lit."""

import struct
import sys
import zlib

TEXT_ROWS_PX = 8 * 16
MIN_LIT = 0.01


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            if (depth, colour) != (8, 2):
                raise ValueError("not 8-bit RGB")
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return width, height, zlib.decompress(idat)


def main():
    path, want_w, want_h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    width, height, raw = read_png(path)
    if (width, height) != (want_w, want_h):
        print(f"the screenshot is {width}x{height}, not {want_w}x{want_h}")
        return 1
    row = 1 + 3 * width
    lit = 0
    for y in range(min(TEXT_ROWS_PX, height)):
        line = raw[y * row:(y + 1) * row]
        if line[0] != 0:
            print(f"row {y} uses PNG filter {line[0]}, which this check does not decode")
            return 1
        px = line[1:]
        lit += sum(1 for x in range(width) if px[3 * x] | px[3 * x + 1] | px[3 * x + 2])
    share = lit / (width * min(TEXT_ROWS_PX, height))
    print(f"{width}x{height}, {100 * share:.1f}% of the top {TEXT_ROWS_PX} rows lit")
    return 0 if share >= MIN_LIT else 1


if __name__ == "__main__":
    sys.exit(main())
