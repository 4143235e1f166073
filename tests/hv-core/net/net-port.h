/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A test's end of hv-net's switch.sock: a port it drives by hand. */
#pragma once

#include <glib.h>

typedef struct
{
  int fd;
} TestPort;

typedef gboolean (*TestFrameMatch) (const guint8 *frame, gsize len, gpointer data);

TestPort *test_port_connect (const char *switch_path);
void test_port_send (TestPort *port, const guint8 *frame, gsize len);
/* Reads frames until MATCH accepts one (TRUE) or TIMEOUT_MS pass (FALSE).
 * With FRAME not NULL, the matching frame is copied there (PKT_BUFFER). */
gboolean test_port_wait (TestPort *port, TestFrameMatch match, gpointer data, guint timeout_ms,
                         guint8 *frame, gsize *len);
void test_port_free (TestPort *port);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestPort, test_port_free)
