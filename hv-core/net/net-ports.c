/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The guests' side of the switch. switch.sock is a SOCK_SEQPACKET socket:
 * one message is one Ethernet frame, in both directions, so no framing
 * needs parsing. Sends never block: a guest that does not read loses the
 * frames its socket buffer cannot hold (counted), and the others go on.
 */

#define _GNU_SOURCE /* accept4 (), struct ucred */
#include "config.h"

#include "net-ports.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "net-frame.h"

/* Frames read from one port before the others get their turn. */
#define NET_PORT_BURST 64
/* Enough for a few dozen full-size frames in each direction. */
#define NET_PORT_SOCKET_BUFFER (2 * 1024 * 1024)
#define NET_MAX_PORTS          256

typedef struct
{
  NetPorts *owner;
  NetPort *port;
  int fd;
  guint watch;
} Guest;

struct NetPorts
{
  NetSwitch *sw;
  char *path;
  int listen_fd;
  guint accept_watch;
  GPtrArray *guests; /* Guest */
  guint8 *buffer;    /* one frame, and a byte more to see an oversized one */
};

static void
guest_free (Guest *guest)
{
  if (guest->watch != 0)
    g_source_remove (guest->watch);
  net_switch_remove_port (guest->owner->sw, guest->port);
  close (guest->fd);
  g_free (guest);
}

static gboolean
guest_send (const guint8 *frame, gsize len, gpointer user_data)
{
  Guest *guest = user_data;

  return send (guest->fd, frame, len, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t) len;
}

/* Reads what the guest sent; FALSE once it has gone. */
static gboolean
guest_read_burst (Guest *guest)
{
  NetPorts *self = guest->owner;

  for (guint i = 0; i < NET_PORT_BURST; i++)
    {
      ssize_t n = recv (guest->fd, self->buffer, NET_FRAME_MAX + 1, MSG_DONTWAIT | MSG_TRUNC);

      if (n < 0)
        return errno == EAGAIN || errno == EINTR; /* EWOULDBLOCK is EAGAIN */
      if (n == 0)
        return FALSE; /* an empty message is the peer's end */
      /* MSG_TRUNC: N is the message's real length, so a frame that did not
       * fit is seen as too long, not as a shorter one. */
      net_switch_input (self->sw, guest->port, self->buffer, n);
    }
  return TRUE;
}

static gboolean
on_guest_ready (int fd, GIOCondition condition, gpointer user_data)
{
  Guest *guest = user_data;

  if ((condition & G_IO_IN) && guest_read_burst (guest))
    return G_SOURCE_CONTINUE;
  if (!(condition & G_IO_IN) && !(condition & (G_IO_HUP | G_IO_ERR)))
    return G_SOURCE_CONTINUE;
  guest->watch = 0;
  g_ptr_array_remove (guest->owner->guests, guest);
  return G_SOURCE_REMOVE;
}

static char *
peer_name (int fd)
{
  struct ucred cred = { 0 };
  socklen_t len = sizeof cred;

  if (getsockopt (fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.pid > 0)
    return g_strdup_printf ("pid %d", (int) cred.pid);
  return g_strdup ("guest");
}

static void
add_guest (NetPorts *self, int fd)
{
  Guest *guest = g_new0 (Guest, 1);
  g_autofree char *name = peer_name (fd);
  int size = NET_PORT_SOCKET_BUFFER;

  setsockopt (fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  guest->owner = self;
  guest->fd = fd;
  guest->port = net_switch_add_port (self->sw, name, guest_send, guest);
  guest->watch = g_unix_fd_add (fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_guest_ready, guest);
  g_ptr_array_add (self->guests, guest);
}

static gboolean
on_accept (int fd, GIOCondition condition, gpointer user_data)
{
  NetPorts *self = user_data;
  int client = accept4 (fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

  if (client < 0)
    return G_SOURCE_CONTINUE;
  if (self->guests->len >= NET_MAX_PORTS)
    {
      g_debug ("switch: refusing a port, %u are connected", self->guests->len);
      close (client);
      return G_SOURCE_CONTINUE;
    }
  add_guest (self, client);
  return G_SOURCE_CONTINUE;
}

int
net_listen_unix (const char *path, int type, GError **error)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int fd;

  if (strlen (path) >= sizeof address.sun_path)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NAMETOOLONG,
                   _ ("The socket path “%s” is too long: use a shorter runtime directory"), path);
      return -1;
    }
  strcpy (address.sun_path, path);
  fd = socket (AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd >= 0 && bind (fd, (struct sockaddr *) &address, sizeof address) == 0 &&
      chmod (path, 0600) == 0 && listen (fd, 16) == 0)
    return fd;

  int saved_errno = errno;
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
               _ ("Cannot listen on “%s”: %s"), path, g_strerror (saved_errno));
  if (fd >= 0)
    close (fd);
  return -1;
}

NetPorts *
net_ports_new (NetSwitch *sw, const char *path, GError **error)
{
  int fd = net_listen_unix (path, SOCK_SEQPACKET, error);
  NetPorts *self;

  if (fd < 0)
    return NULL;
  self = g_new0 (NetPorts, 1);
  self->sw = sw;
  self->path = g_strdup (path);
  self->listen_fd = fd;
  self->guests = g_ptr_array_new_with_free_func ((GDestroyNotify) guest_free);
  self->buffer = g_malloc (NET_FRAME_MAX + 1);
  self->accept_watch = g_unix_fd_add (fd, G_IO_IN, on_accept, self);
  return self;
}

void
net_ports_free (NetPorts *self)
{
  if (self == NULL)
    return;
  g_source_remove (self->accept_watch);
  close (self->listen_fd);
  g_unlink (self->path);
  g_ptr_array_unref (self->guests);
  g_free (self->buffer);
  g_free (self->path);
  g_free (self);
}
