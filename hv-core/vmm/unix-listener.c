/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE /* accept4 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "unix-listener.h"

static int
set_errno_error (GError **error, int saved_errno)
{
  g_set_error_literal (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                       g_strerror (saved_errno));
  return -1;
}

/* The directory is 0700 already; the chmod closes the window for anyone who
 * could reach it anyway. */
int
unix_listener_new (const char *path, GError **error)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd, saved_errno;

  if (strlen (path) >= sizeof addr.sun_path)
    return set_errno_error (error, ENAMETOOLONG);
  strcpy (addr.sun_path, path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return set_errno_error (error, errno);
  if (bind (fd, (struct sockaddr *) &addr, sizeof addr) != 0)
    {
      saved_errno = errno;
      close (fd);
      return set_errno_error (error, saved_errno);
    }
  if (chmod (path, 0600) != 0)
    {
      saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _ ("Cannot restrict the access to “%s”: %s"), path, g_strerror (saved_errno));
      close (fd);
      unlink (path);
      return -1;
    }
  if (listen (fd, SOMAXCONN) != 0)
    {
      saved_errno = errno;
      close (fd);
      unlink (path);
      return set_errno_error (error, saved_errno);
    }
  return fd;
}

int
unix_listener_accept (int listener)
{
  int fd;

  do
    fd = accept4 (listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  return fd;
}

GSource *
unix_fd_watch (int fd, GIOCondition condition, GUnixFDSourceFunc func, gpointer data)
{
  GSource *source = g_unix_fd_source_new (fd, condition);

  g_source_set_callback (source, G_SOURCE_FUNC (func), data, NULL);
  g_source_attach (source, NULL);
  return source;
}

gssize
unix_socket_send (int fd, const void *data, gsize len)
{
  gssize n;

  do
    n = send (fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  return n;
}

gssize
unix_socket_recv (int fd, void *buf, gsize len)
{
  gssize n;

  do
    n = recv (fd, buf, len, MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  return n;
}
