/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The framebuffer as a QXL device of spice-server: one primary surface,
 * updated with draw-copy commands for the rectangles that changed, and a
 * cursor channel with a plain arrow.
 *
 * Changes are found by polling KVM's dirty log of the framebuffer's slot
 * (about 60 times a second, and only while a client watches), then
 * comparing the dirty lines with a shadow copy of what was sent.
 */
#pragma once

#include <glib.h>
#include <spice.h>

#include "framebuffer.h"

typedef struct display_qxl DisplayQxl;

/* Adds the QXL interface to SERVER and creates the primary surface. */
DisplayQxl *display_qxl_new (SpiceServer *server, Framebuffer *fb, GError **error);
/* Call after spice_server_destroy (): the worker thread is gone then. */
void display_qxl_free (DisplayQxl *qxl);
/* Polls the framebuffer while ACTIVE. */
void display_qxl_set_active (DisplayQxl *qxl, gboolean active);
/* Updates sent so far and their pixels: figures for benchmarks. */
void display_qxl_get_stats (DisplayQxl *qxl, guint64 *updates, guint64 *pixels);
