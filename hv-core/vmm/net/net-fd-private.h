/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "net-backend-private.h"

G_BEGIN_DECLS

/* Takes over FD (non-blocking): one frame a message, each behind a
 * virtio-net header of HDR_LEN bytes (0: none). */
NetBackend *_net_fd_backend_new (int fd, gboolean is_socket, gsize hdr_len, const guint8 *mac,
                                 GMainContext *context);

G_END_DECLS
