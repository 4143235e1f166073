/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The `switch` back end: a port of an hv-net network. */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "net-fd-private.h"

/* Room for a few dozen full-size frames each way. */
#define NET_SWITCH_PORT_BUFFER (2 * 1024 * 1024)

static gboolean
set_connect_error (GError **error, const char *path, int saved_errno)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
               _ ("Cannot connect to the virtual network at “%s”: %s. Start the network "
                  "first."),
               path, g_strerror (saved_errno));
  return FALSE;
}

NetBackend *
net_backend_switch_new (const char *switch_path, const guint8 *mac, GMainContext *context,
                        GError **error)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int size = NET_SWITCH_PORT_BUFFER;
  int fd;

  if (strlen (switch_path) >= sizeof address.sun_path)
    {
      set_connect_error (error, switch_path, ENAMETOOLONG);
      return NULL;
    }
  strcpy (address.sun_path, switch_path);
  fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0 || connect (fd, (struct sockaddr *) &address, sizeof address) != 0)
    {
      set_connect_error (error, switch_path, errno);
      if (fd >= 0)
        close (fd);
      return NULL;
    }
  setsockopt (fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  return _net_fd_backend_new (fd, TRUE, 0, mac, context);
}
