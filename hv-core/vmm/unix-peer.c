/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "unix-listener.h"
#include "unix-peer.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

/* What one read takes: a control line is at most 64 KiB, and nothing here
 * needs it in one piece. */
#define PEER_READ_SIZE 16384

struct unix_peer
{
  guint ref_count;
  gboolean closed;
  int fd;
  GSource *in_source;
  GSource *out_source;
  GByteArray *out_buf;
  const UnixPeerFuncs *funcs;
  gpointer data;
  GDestroyNotify data_free;
};

static gboolean peer_flush (UnixPeer *peer);

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static gboolean
on_readable (int fd, GIOCondition condition, gpointer user_data)
{
  /* The callbacks may drop every other reference. */
  g_autoptr (UnixPeer) peer = unix_peer_ref (user_data);
  guint8 buf[PEER_READ_SIZE];
  gssize n = unix_socket_recv (fd, buf, sizeof buf);

  if (n < 0 && errno == EAGAIN)
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    unix_peer_close (peer); /* destroys this source */
  else
    peer->funcs->input (peer, buf, n, peer->data);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_writable (int fd, GIOCondition condition, gpointer user_data)
{
  g_autoptr (UnixPeer) peer = unix_peer_ref (user_data);

  peer_flush (peer);
  return G_SOURCE_CONTINUE;
}

UnixPeer *
unix_peer_new (int fd, const UnixPeerFuncs *funcs, gpointer data, GDestroyNotify data_free)
{
  UnixPeer *peer = g_new0 (UnixPeer, 1);

  peer->ref_count = 1;
  peer->fd = fd;
  peer->out_buf = g_byte_array_new ();
  peer->funcs = funcs;
  peer->data = data;
  peer->data_free = data_free;
  peer->in_source = unix_fd_watch (fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_readable, peer);
  return peer;
}

UnixPeer *
unix_peer_ref (UnixPeer *peer)
{
  peer->ref_count++;
  return peer;
}

void
unix_peer_unref (UnixPeer *peer)
{
  if (--peer->ref_count > 0)
    return;
  clear_source (&peer->in_source);
  clear_source (&peer->out_source);
  if (peer->fd >= 0)
    close (peer->fd);
  if (peer->data_free != NULL)
    peer->data_free (peer->data);
  g_byte_array_unref (peer->out_buf);
  g_free (peer);
}

gpointer
unix_peer_get_data (UnixPeer *peer)
{
  return peer->data;
}

gboolean
unix_peer_is_closed (UnixPeer *peer)
{
  return peer->closed;
}

/* Sends what the socket takes now and watches for G_IO_OUT for the rest.
 * FALSE once the peer is closed. */
static gboolean
peer_flush (UnixPeer *peer)
{
  while (!peer->closed && peer->out_buf->len > 0)
    {
      gssize sent = unix_socket_send (peer->fd, peer->out_buf->data, peer->out_buf->len);

      if (sent < 0 && errno == EAGAIN)
        break;
      if (sent < 0)
        {
          g_debug ("a client of %d went away: %s", peer->fd, g_strerror (errno));
          unix_peer_close (peer);
          return FALSE;
        }
      g_byte_array_remove_range (peer->out_buf, 0, sent);
    }
  if (peer->closed)
    return FALSE;
  if (peer->out_buf->len == 0)
    clear_source (&peer->out_source);
  else if (peer->out_source == NULL)
    peer->out_source = unix_fd_watch (peer->fd, G_IO_OUT, on_writable, peer);
  return TRUE;
}

void
unix_peer_send (UnixPeer *peer, const void *bytes, gsize len)
{
  if (peer->closed)
    return;
  g_byte_array_append (peer->out_buf, bytes, len);
  peer_flush (peer);
}

gsize
unix_peer_get_backlog (UnixPeer *peer)
{
  return peer->out_buf->len;
}

void
unix_peer_flush_until (UnixPeer *peer, gint64 deadline)
{
  while (!peer->closed && peer->out_buf->len > 0 && g_get_monotonic_time () < deadline)
    {
      struct pollfd pfd = { .fd = peer->fd, .events = POLLOUT };
      gint64 left_ms = (deadline - g_get_monotonic_time () + 999) / 1000;
      gssize sent;

      if (poll (&pfd, 1, (int) MAX (left_ms, 0)) < 0 && errno != EINTR)
        return;
      sent = unix_socket_send (peer->fd, peer->out_buf->data, peer->out_buf->len);
      if (sent < 0 && errno == EAGAIN)
        continue;
      if (sent <= 0)
        return;
      g_byte_array_remove_range (peer->out_buf, 0, sent);
    }
}

void
unix_peer_close (UnixPeer *peer)
{
  g_autoptr (UnixPeer) self = NULL;

  if (peer->closed)
    return;
  self = unix_peer_ref (peer); /* through the callback */
  peer->closed = TRUE;
  clear_source (&peer->in_source);
  clear_source (&peer->out_source);
  close (peer->fd);
  peer->fd = -1;
  peer->funcs->closed (peer, peer->data);
}
