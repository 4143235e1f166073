/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One client connected to a socket hv-vmm listens on (control.sock,
 * console.sock): what it sends is handed to a callback as it arrives; what
 * is sent to it is buffered and goes out as the socket takes it, so a
 * client that stops reading never blocks the VMM or the other clients.
 * Main thread only.
 */
#pragma once

#include <glib.h>

typedef struct unix_peer UnixPeer;

typedef struct
{
  /* LEN bytes arrived from PEER. */
  void (*input) (UnixPeer *peer, const guint8 *bytes, gsize len, gpointer data);
  /* PEER is closed: it hung up, a read or write failed, or
   * unix_peer_close () was called. Called once; PEER stays valid until the
   * callback returns. */
  void (*closed) (UnixPeer *peer, gpointer data);
} UnixPeerFuncs;

/* Takes FD, a connected non-blocking socket. DATA (freed with DATA_FREE
 * with the peer's last reference) is passed to FUNCS. */
UnixPeer *unix_peer_new (int fd, const UnixPeerFuncs *funcs, gpointer data,
                         GDestroyNotify data_free);
UnixPeer *unix_peer_ref (UnixPeer *peer);
void unix_peer_unref (UnixPeer *peer);
gpointer unix_peer_get_data (UnixPeer *peer);
gboolean unix_peer_is_closed (UnixPeer *peer);

/* Queues LEN bytes and sends what the socket takes now; nothing once closed. */
void unix_peer_send (UnixPeer *peer, const void *bytes, gsize len);
/* Bytes queued and not yet sent. */
gsize unix_peer_get_backlog (UnixPeer *peer);
/* Blocks until what is queued is sent, or until DEADLINE (monotonic time):
 * the last words before hv-vmm exits. */
void unix_peer_flush_until (UnixPeer *peer, gint64 deadline);
void unix_peer_close (UnixPeer *peer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (UnixPeer, unix_peer_unref)
