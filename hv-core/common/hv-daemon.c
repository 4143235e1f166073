/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "hv-daemon.h"

/* Writes all of LINE to FD; the reader waits for the newline. */
static void
write_all (int fd, const char *line)
{
  size_t len = strlen (line);

  while (len > 0)
    {
      ssize_t n = write (fd, line, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return;
      line += n;
      len -= n;
    }
}

void
hv_daemon_init (void)
{
  /* Only what translated messages need: every locale category loaded is
   * memory that each guest's process keeps, and nothing here formats
   * numbers, dates or money for people. */
  setlocale (LC_CTYPE, "");
  setlocale (LC_MESSAGES, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  signal (SIGPIPE, SIG_IGN);
}

void
hv_daemon_report_ready (int *ready_fd, const char *program, const GError *error)
{
  if (error != NULL)
    {
      /* One line: the reader shows it as is. */
      g_autofree char *one_line = g_strdelimit (g_strdup (error->message), "\r\n", ' ');
      g_autofree char *line = g_strdup_printf ("ERROR %s\n", one_line);

      g_printerr ("%s: %s\n", program, one_line);
      if (*ready_fd >= 0)
        write_all (*ready_fd, line);
    }
  else if (*ready_fd >= 0)
    write_all (*ready_fd, "OK\n");

  if (*ready_fd >= 0)
    close (*ready_fd);
  *ready_fd = -1;
}

int
hv_daemon_lock (const char *path, GError **error)
{
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _ ("Could not create %s: %s. Check the runtime directory."), path,
                   g_strerror (saved_errno));
      return -1;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) < 0)
    {
      g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_AGAIN, "locked");
      close (fd);
      return -1;
    }
  return fd;
}
