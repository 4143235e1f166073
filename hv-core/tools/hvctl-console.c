/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The terminal side of `hvctl run` and `hvctl console`: the guest's serial
 * console on stdin/stdout, the terminal in raw mode while attached (so that
 * Ctrl-C and friends reach the guest), Ctrl-] to let go.
 */

#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <termios.h>
#include <unistd.h>

#include "hvctl.h"

/* Ctrl-], as telnet and virsh have taught people. */
#define DETACH_CHAR 0x1d
/* How long the console may lag behind the control socket when the guest ends. */
#define DRAIN_TIMEOUT_MS 2000

typedef struct
{
  GMainLoop *loop;
  HvClient *client;
  GSocketConnection *console;
  GSource *stdin_source;
  GSource *console_source;
  GSource *drain_timeout;
  gboolean raw;
  struct termios saved_termios;

  gboolean shutdown_seen;
  char *failure; /* why hv-vmm stopped the guest, for SHUTDOWN "internal-error" */
  gboolean control_closed;
  gboolean console_closed;
  gboolean detached;
} Session;

static void
session_quit (Session *session)
{
  g_main_loop_quit (session->loop);
}

static gboolean
on_drain_timeout (gpointer user_data)
{
  Session *session = user_data;

  session->drain_timeout = NULL;
  session_quit (session);
  return G_SOURCE_REMOVE;
}

/* The guest is over once its sockets closed. With a control connection,
 * whichever closes first waits a little for the other, so that the last
 * output is not cut off and the SHUTDOWN event is seen. */
static void
session_check_done (Session *session)
{
  if (session->client == NULL)
    {
      if (session->console_closed)
        session_quit (session);
      return;
    }
  if (session->control_closed && session->console_closed)
    session_quit (session);
  else if ((session->control_closed || session->console_closed) && session->drain_timeout == NULL)
    {
      session->drain_timeout = g_timeout_source_new (DRAIN_TIMEOUT_MS);
      g_source_set_callback (session->drain_timeout, on_drain_timeout, session, NULL);
      g_source_attach (session->drain_timeout, NULL);
      g_source_unref (session->drain_timeout);
    }
}

static gboolean
write_all (int fd, const char *data, gsize len)
{
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      data += n;
      len -= n;
    }
  return TRUE;
}

static gboolean
on_console_readable (GSocket *socket, GIOCondition condition, gpointer user_data)
{
  Session *session = user_data;
  char buf[4096];
  gssize n = g_socket_receive (socket, buf, sizeof buf, NULL, NULL);

  if (n > 0)
    {
      write_all (STDOUT_FILENO, buf, n);
      return G_SOURCE_CONTINUE;
    }
  session->console_closed = TRUE;
  session->console_source = NULL;
  session_check_done (session);
  return G_SOURCE_REMOVE;
}

static void
session_detach (Session *session)
{
  session->detached = TRUE;
  session_quit (session);
}

static void
forward_input (Session *session, const char *buf, gsize len)
{
  GSocket *socket = g_socket_connection_get_socket (session->console);
  const char *detach = session->raw ? memchr (buf, DETACH_CHAR, len) : NULL;
  gsize forward = detach != NULL ? (gsize) (detach - buf) : len;

  if (forward > 0 && !session->console_closed)
    g_socket_send_with_blocking (socket, buf, forward, TRUE, NULL, NULL);
  if (detach != NULL)
    session_detach (session);
}

static gboolean
on_stdin_readable (gint fd, GIOCondition condition, gpointer user_data)
{
  Session *session = user_data;
  char buf[4096];
  gssize n = read (fd, buf, sizeof buf);

  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    {
      /* No more input; the guest goes on, and its output still comes. */
      session->stdin_source = NULL;
      return G_SOURCE_REMOVE;
    }
  forward_input (session, buf, n);
  return G_SOURCE_CONTINUE;
}

static void
on_event (HvClient *client, const char *name, JsonObject *data, gint64 timestamp, Session *session)
{
  const char *reason = json_object_get_string_member_with_default (data, "reason", "");

  if (!g_str_equal (name, "SHUTDOWN"))
    return;
  session->shutdown_seen = TRUE;
  /* Not a power-off: hv-vmm gave up on the guest. */
  if (g_str_equal (reason, "internal-error"))
    session->failure = g_strdup (json_object_get_string_member_with_default (
        data, "message", _ ("The hypervisor process stopped the guest after an internal error")));
}

static void
on_closed (HvClient *client, const GError *error, Session *session)
{
  session->control_closed = TRUE;
  session_check_done (session);
}

static gboolean
on_signal (gpointer user_data)
{
  session_detach (user_data);
  return G_SOURCE_CONTINUE;
}

static void
terminal_enter_raw (Session *session)
{
  struct termios raw;

  if (!isatty (STDIN_FILENO) || tcgetattr (STDIN_FILENO, &session->saved_termios) != 0)
    return;
  raw = session->saved_termios;
  cfmakeraw (&raw);
  /* Keep output processing: guests that write a bare "\n" stay readable. */
  raw.c_oflag = session->saved_termios.c_oflag;
  if (tcsetattr (STDIN_FILENO, TCSAFLUSH, &raw) == 0)
    session->raw = TRUE;
}

static void
terminal_restore (Session *session)
{
  if (session->raw)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &session->saved_termios);
  session->raw = FALSE;
}

static void
session_start (Session *session)
{
  GSocket *socket = g_socket_connection_get_socket (session->console);

  session->console_source = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (session->console_source, G_SOURCE_FUNC (on_console_readable), session,
                         NULL);
  g_source_attach (session->console_source, NULL);
  g_source_unref (session->console_source);

  session->stdin_source = g_unix_fd_source_new (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR);
  g_source_set_callback (session->stdin_source, G_SOURCE_FUNC (on_stdin_readable), session, NULL);
  g_source_attach (session->stdin_source, NULL);
  g_source_unref (session->stdin_source);

  if (session->client != NULL)
    {
      g_signal_connect (session->client, "event", G_CALLBACK (on_event), session);
      g_signal_connect (session->client, "closed", G_CALLBACK (on_closed), session);
      session->control_closed = hv_client_is_closed (session->client);
    }
}

static void
session_stop (Session *session)
{
  if (session->stdin_source != NULL)
    g_source_destroy (session->stdin_source);
  if (session->console_source != NULL)
    g_source_destroy (session->console_source);
  if (session->drain_timeout != NULL)
    g_source_destroy (session->drain_timeout);
  if (session->client != NULL)
    g_signal_handlers_disconnect_by_data (session->client, session);
}

int
hvctl_attach (const char *name, HvClient *client, GSocketConnection *console, gboolean *detached,
              GError **error)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Session session = { .loop = loop, .client = client, .console = console };
  g_autofree char *failure = NULL;
  guint signal_ids[3];
  int signals[] = { SIGINT, SIGTERM, SIGHUP };

  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    signal_ids[i] = g_unix_signal_add (signals[i], on_signal, &session);
  if (isatty (STDIN_FILENO))
    g_printerr (_ ("Connected to the console of “%s”. Press Ctrl-] to detach.\n"), name);

  terminal_enter_raw (&session);
  session_start (&session);
  session_check_done (&session);
  g_main_loop_run (loop);
  session_stop (&session);
  terminal_restore (&session);
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    g_source_remove (signal_ids[i]);

  failure = g_steal_pointer (&session.failure);
  *detached = session.detached;
  if (session.detached)
    {
      g_printerr (
          _ ("\nDetached from “%s”, which keeps running. Reattach with: hvctl console %s\n"), name,
          name);
      return 0;
    }
  if (failure != NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_VMM_FAILED, "%s", failure);
      return -1;
    }
  if (client != NULL && !session.shutdown_seen)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_VMM_FAILED,
                   _ ("The hypervisor process of “%s” ended without the guest powering off"), name);
      return -1;
    }
  return 0;
}
