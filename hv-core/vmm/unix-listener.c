/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gi18n-lib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unix-listener.h"

/* The directory is 0700 already; the chmod closes the window for anyone who
 * could reach it anyway. */
GSocket *
unix_listener_new (const char *path, GError **error)
{
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (path);

  socket =
      g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, error);
  if (socket == NULL)
    return NULL;
  if (!g_socket_bind (socket, address, FALSE, error))
    return NULL;
  if (chmod (path, 0600) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _ ("Cannot restrict the access to “%s”: %s"), path, g_strerror (saved_errno));
      unlink (path);
      return NULL;
    }
  g_socket_set_blocking (socket, FALSE);
  if (!g_socket_listen (socket, error))
    {
      unlink (path);
      return NULL;
    }
  return g_steal_pointer (&socket);
}
