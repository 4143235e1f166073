/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The framebuffer as a PNG file (8-bit RGB), written with zlib. */
#pragma once

#include <glib.h>

#include "framebuffer.h"

/* Writes atomically: PATH appears complete or not at all. */
gboolean screendump_write_png (Framebuffer *fb, const char *path, GError **error);
