/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The fbpattern guest's picture, shared with the tests that check it. */
#pragma once

#include <stdint.h>

#define FBPATTERN_CELL 16

/* The xRGB value of pixel (X, Y) on a WIDTH x HEIGHT screen. */
static inline uint32_t
fbpattern_pixel (unsigned x, unsigned y, unsigned width, unsigned height)
{
  static const uint32_t bars[8] = {
    0xffffff, 0xffff00, 0x00ffff, 0x00ff00, 0xff00ff, 0xff0000, 0x0000ff, 0x000000,
  };

  if (y < height / 2)
    return bars[x * 8 / width];
  return ((x / FBPATTERN_CELL + y / FBPATTERN_CELL) & 1) ? 0xffffff : 0x202020;
}

/* bench/display: the colour of frame N. Consecutive frames never share a
 * colour, and none is black (the screen before the first frame). */
static inline uint32_t
fbpattern_frame_colour (uint32_t n)
{
  return ((n * 2654435761u) & 0xffffff) | 0x010101;
}

/* bench/display: the square that changes in "rect" mode, and the pixel
 * the client probes in either mode (the last one written). */
#define FBPATTERN_RECT_X    100
#define FBPATTERN_RECT_Y    100
#define FBPATTERN_RECT_SIZE 64
