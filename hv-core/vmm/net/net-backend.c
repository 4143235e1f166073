/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What every back end shares: counters, the receive function, filtering. */

#include "config.h"

#include "net-backend-private.h"

void
_net_backend_init (NetBackend *self, const NetBackendOps *ops, const guint8 *mac,
                   GMainContext *context)
{
  self->ops = ops;
  self->context = g_main_context_ref (context != NULL ? context : g_main_context_default ());
  self->have_mac = mac != NULL;
  if (mac != NULL)
    memcpy (self->mac, mac, NET_MAC_LEN);
  g_mutex_init (&self->lock);
  self->receive_enabled = TRUE;
}

/* Whether the guest would accept a frame for DESTINATION; the guest's own
 * filter (promiscuous mode, multicast lists) comes later, in the device. */
static gboolean
is_for_guest (NetBackend *self, const guint8 *destination)
{
  return !self->have_mac || net_mac_is_group (destination) ||
         memcmp (destination, self->mac, NET_MAC_LEN) == 0;
}

void
_net_backend_deliver (NetBackend *self, const guint8 *frame, gsize len)
{
  NetBackendReceiveFunc receive;
  gpointer receive_data;

  g_mutex_lock (&self->lock);
  if (!net_frame_is_valid_length (len) || !self->receive_enabled || self->receive == NULL)
    {
      self->stats.dropped_in++;
      g_mutex_unlock (&self->lock);
      return;
    }
  if (!is_for_guest (self, frame))
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  self->stats.frames_in++;
  self->stats.bytes_in += len;
  receive = self->receive;
  receive_data = self->receive_data;
  g_mutex_unlock (&self->lock);
  /* Unlocked: the device may answer from inside its receive function. */
  receive (frame, len, receive_data);
}

gboolean
_net_backend_receive_enabled (NetBackend *self)
{
  gboolean enabled;

  g_mutex_lock (&self->lock);
  enabled = self->receive_enabled;
  g_mutex_unlock (&self->lock);
  return enabled;
}

void
net_backend_set_receive_func (NetBackend *self, NetBackendReceiveFunc func, gpointer user_data)
{
  g_mutex_lock (&self->lock);
  self->receive = func;
  self->receive_data = user_data;
  g_mutex_unlock (&self->lock);
}

void
net_backend_set_receive_enabled (NetBackend *self, gboolean enabled)
{
  g_mutex_lock (&self->lock);
  self->receive_enabled = enabled;
  g_mutex_unlock (&self->lock);
  if (self->ops->set_receive_enabled != NULL)
    self->ops->set_receive_enabled (self, enabled);
}

gboolean
net_backend_send (NetBackend *self, const guint8 *frame, gsize len)
{
  gboolean sent = net_frame_is_valid_length (len) && self->ops->send (self, frame, len);

  g_mutex_lock (&self->lock);
  if (sent)
    {
      self->stats.frames_out++;
      self->stats.bytes_out += len;
    }
  else
    self->stats.dropped_out++;
  g_mutex_unlock (&self->lock);
  return sent;
}

void
net_backend_get_stats (NetBackend *self, NetBackendStats *stats)
{
  g_mutex_lock (&self->lock);
  *stats = self->stats;
  g_mutex_unlock (&self->lock);
}

void
net_backend_free (NetBackend *self)
{
  if (self == NULL)
    return;
  self->ops->finalize (self);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  g_free (self);
}
