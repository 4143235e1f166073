/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The back ends that are one descriptor carrying one frame per message:
 * hv-net's switch.sock (SOCK_SEQPACKET) and a tap device. A tap may carry
 * a virtio-net header before each frame (IFF_VNET_HDR, as
 * qemu-bridge-helper --use-vnet opens it): it is added and removed here,
 * zeroed (no offloads asked for), so the device above sees plain frames.
 */

#include "config.h"

#include "net-fd-private.h"

#include <errno.h>
#include <glib-unix.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/* Frames handed to the guest before other sources get their turn. */
#define NET_FD_BURST 64
/* The largest virtio-net header a tap may carry (with hash reports). */
#define NET_FD_MAX_HDR 20

typedef struct
{
  NetBackend parent;
  int fd;
  gboolean is_socket;
  gsize hdr_len;
  GMutex source_lock; /* receiving is switched on and off from any thread */
  GSource *source;
  guint8 *buffer;
} NetFdBackend;

/* Reads one message; its real length (longer than the buffer if it did
 * not fit), 0 when nothing is waiting, -1 when the peer has gone. */
static gssize
read_message (NetFdBackend *self)
{
  gsize size = self->hdr_len + NET_FRAME_MAX + 1;
  gssize n;

  do
    n = self->is_socket ? recv (self->fd, self->buffer, size, MSG_DONTWAIT | MSG_TRUNC)
                        : read (self->fd, self->buffer, size);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return errno == EAGAIN ? 0 : -1;
  if (n == 0)
    return self->is_socket ? -1 : 0;
  return n;
}

static gboolean
on_readable (int fd, GIOCondition condition, gpointer user_data)
{
  NetFdBackend *self = user_data;

  for (guint i = 0; i < NET_FD_BURST; i++)
    {
      gssize n = read_message (self);

      if (n < 0)
        {
          g_debug ("net: the network end of a NIC closed");
          return G_SOURCE_REMOVE;
        }
      if (n == 0)
        break;
      if ((gsize) n < self->hdr_len)
        continue;
      _net_backend_deliver (&self->parent, self->buffer + self->hdr_len, n - self->hdr_len);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
fd_send (NetBackend *backend, const guint8 *frame, gsize len)
{
  NetFdBackend *self = (NetFdBackend *) backend;
  guint8 header[NET_FD_MAX_HDR] = { 0 };
  struct iovec iov[2] = {
    { header, self->hdr_len },
    { (void *) frame, len },
  };
  struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
  gssize n;

  do
    n = self->is_socket ? sendmsg (self->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL)
                        : writev (self->fd, iov, 2);
  while (n < 0 && errno == EINTR);
  return n == (gssize) (self->hdr_len + len);
}

static void
stop_source (NetFdBackend *self)
{
  if (self->source == NULL)
    return;
  g_source_destroy (self->source);
  g_clear_pointer (&self->source, g_source_unref);
}

static void
start_source (NetFdBackend *self)
{
  self->source = g_unix_fd_source_new (self->fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
  g_source_set_callback (self->source, (GSourceFunc) (void (*) (void)) on_readable, self, NULL);
  g_source_attach (self->source, self->parent.context);
}

static void
fd_set_receive_enabled (NetBackend *backend, gboolean enabled)
{
  NetFdBackend *self = (NetFdBackend *) backend;

  /* Off: the descriptor is not read, so frames queue in the kernel
   * (bounded by its buffer), and the sender drops what does not fit. */
  g_mutex_lock (&self->source_lock);
  stop_source (self);
  if (enabled)
    start_source (self);
  g_mutex_unlock (&self->source_lock);
}

static void
fd_finalize (NetBackend *backend)
{
  NetFdBackend *self = (NetFdBackend *) backend;

  stop_source (self);
  close (self->fd);
  g_free (self->buffer);
  g_mutex_clear (&self->source_lock);
}

static const NetBackendOps fd_ops = {
  .send = fd_send,
  .set_receive_enabled = fd_set_receive_enabled,
  .finalize = fd_finalize,
};

NetBackend *
_net_fd_backend_new (int fd, gboolean is_socket, gsize hdr_len, const guint8 *mac,
                     GMainContext *context)
{
  NetFdBackend *self = g_new0 (NetFdBackend, 1);

  g_assert (hdr_len <= NET_FD_MAX_HDR);
  _net_backend_init (&self->parent, &fd_ops, mac, context);
  self->fd = fd;
  self->is_socket = is_socket;
  self->hdr_len = hdr_len;
  self->buffer = g_malloc (hdr_len + NET_FRAME_MAX + 1);
  g_mutex_init (&self->source_lock);
  start_source (self);
  return &self->parent;
}
