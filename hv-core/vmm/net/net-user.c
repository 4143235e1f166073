/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The `user` back end: a libslirp router, DHCP and DNS server of this
 * guest's own, in hv-vmm, with no hv-net and no privileges. What the
 * router sends goes straight to the guest.
 */

#include "config.h"

#include "net-backend-private.h"

typedef struct
{
  NetBackend parent;
  NetSlirp *router;
} NetUserBackend;

static void
on_router_output (const guint8 *frame, gsize len, gpointer user_data)
{
  _net_backend_deliver (user_data, frame, len);
}

static gboolean
user_send (NetBackend *backend, const guint8 *frame, gsize len)
{
  net_slirp_input (((NetUserBackend *) backend)->router, frame, len);
  return TRUE;
}

static void
user_finalize (NetBackend *backend)
{
  g_clear_pointer (&((NetUserBackend *) backend)->router, net_slirp_free);
}

/* Receiving off: _net_backend_deliver () drops the router's frames, and
 * TCP inside the router sends them again later. */
static const NetBackendOps user_ops = {
  .send = user_send,
  .set_receive_enabled = NULL,
  .finalize = user_finalize,
};

NetBackend *
net_backend_user_new (const NetSlirpConfig *config, const guint8 *mac, GMainContext *context,
                      GError **error)
{
  NetUserBackend *self = g_new0 (NetUserBackend, 1);

  _net_backend_init (&self->parent, &user_ops, mac, context);
  self->router = net_slirp_new (config, context, on_router_output, self, error);
  if (self->router == NULL)
    {
      net_backend_free (&self->parent);
      return NULL;
    }
  return &self->parent;
}
