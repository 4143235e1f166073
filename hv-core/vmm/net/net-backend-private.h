/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared by the back ends: the common part every implementation embeds. */
#pragma once

#include "net-backend.h"
#include "net-frame.h"

G_BEGIN_DECLS

typedef struct
{
  /* FALSE when the frame was not taken. */
  gboolean (*send) (NetBackend *self, const guint8 *frame, gsize len);
  void (*set_receive_enabled) (NetBackend *self, gboolean enabled);
  void (*finalize) (NetBackend *self);
} NetBackendOps;

struct NetBackend
{
  const NetBackendOps *ops;
  GMainContext *context;
  guint8 mac[NET_MAC_LEN];
  gboolean have_mac;
  GMutex lock; /* guards what follows */
  NetBackendReceiveFunc receive;
  gpointer receive_data;
  gboolean receive_enabled;
  NetBackendStats stats;
};

void _net_backend_init (NetBackend *self, const NetBackendOps *ops, const guint8 *mac,
                        GMainContext *context);
/* A frame from the network: checked, filtered, counted, handed on. */
void _net_backend_deliver (NetBackend *self, const guint8 *frame, gsize len);
gboolean _net_backend_receive_enabled (NetBackend *self);

G_END_DECLS
