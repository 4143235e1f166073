/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "net-port.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "net-packets.h"

TestPort *
test_port_connect (const char *switch_path)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  TestPort *port = g_new0 (TestPort, 1);

  g_assert_cmpuint (strlen (switch_path), <, sizeof address.sun_path);
  strcpy (address.sun_path, switch_path);
  port->fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  g_assert_cmpint (port->fd, >=, 0);
  g_assert_cmpint (connect (port->fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  return port;
}

void
test_port_send (TestPort *port, const guint8 *frame, gsize len)
{
  g_assert_cmpint (send (port->fd, frame, len, MSG_NOSIGNAL), ==, (gssize) len);
}

gboolean
test_port_wait (TestPort *port, TestFrameMatch match, gpointer data, guint timeout_ms,
                guint8 *frame, gsize *len)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;
  static guint8 buffer[65536 + 64];

  for (gint64 now = g_get_monotonic_time (); now < deadline; now = g_get_monotonic_time ())
    {
      struct pollfd pfd = { port->fd, POLLIN, 0 };
      gssize n;

      if (poll (&pfd, 1, (deadline - now) / 1000 + 1) <= 0)
        continue;
      n = recv (port->fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n <= 0)
        {
          g_assert_true (n < 0 && errno == EAGAIN);
          continue;
        }
      if (!match (buffer, n, data))
        continue;
      if (frame != NULL)
        memcpy (frame, buffer, MIN ((gsize) n, PKT_BUFFER));
      if (len != NULL)
        *len = n;
      return TRUE;
    }
  return FALSE;
}

void
test_port_free (TestPort *port)
{
  close (port->fd);
  g_free (port);
}
