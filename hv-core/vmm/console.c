/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * COM1's byte stream on console.sock (hv-core/docs/control-protocol.md,
 * "The console socket").
 *
 * vCPU threads hand output to console_server_output (), which only appends
 * to a bounded buffer under a mutex and wakes the main context: a vCPU never
 * waits for a socket or the log. The main thread then fans the bytes out to
 * every client's own bounded backlog; a client that does not keep up loses
 * output rather than slowing the guest or the other clients.
 *
 * What the guest writes before any client ever connected is kept (bounded)
 * for the first one: the vCPUs start before hv-vmm reports ready, so even
 * the client that `hvctl run` connects at once would otherwise miss the
 * first lines of a quick guest.
 */

#include "config.h"

#include "console.h"
#include "unix-listener.h"
#include "unix-peer.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Output the vCPUs may queue before the main thread catches up. */
#define CONSOLE_MAX_PENDING (1024 * 1024)
/* Output one client may have unsent before newer bytes are dropped for it. */
#define CONSOLE_MAX_BACKLOG (1024 * 1024)
/* Output kept for the first client, written before it came. */
#define CONSOLE_MAX_EARLY (64 * 1024)

/* What the console keeps of each client (its UnixPeer's data). */
typedef struct
{
  ConsoleServer *server;
  gboolean lossy; /* it lost output already: say so once */
} ConsoleClient;

struct console_server
{
  Vmm *vmm;
  char *path;
  int log_fd; /* -1: no log */
  int listener;
  GSource *accept_source;
  GPtrArray *clients;          /* UnixPeer of a ConsoleClient, one reference each */
  UnixPeer *writer;            /* the client holding the input, or NULL */
  GByteArray *early;           /* output before the first client; NULL after it */
  ConsoleInputFunc input_func; /* NULL: COM1 */
  void *input_data;

  GMutex lock; /* guards what follows: the vCPUs' side */
  GByteArray *pending;
  GSource *pending_source;
  gsize dropped;
};

static void server_accept_pending (ConsoleServer *server);

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void
client_send (UnixPeer *peer, const guint8 *bytes, gsize len)
{
  ConsoleClient *client = unix_peer_get_data (peer);
  gsize backlog = unix_peer_get_backlog (peer);
  gsize room = CONSOLE_MAX_BACKLOG - MIN (backlog, CONSOLE_MAX_BACKLOG);

  if (len > room && !client->lossy)
    g_debug ("console: a reader does not keep up and loses output");
  client->lossy |= len > room;
  unix_peer_send (peer, bytes, MIN (len, room));
}

static void
write_log (ConsoleServer *server, const guint8 *bytes, gsize len)
{
  while (server->log_fd >= 0 && len > 0)
    {
      gssize n = write (server->log_fd, bytes, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          /* A full disk must not stop the guest: warn once and stop logging. */
          g_warning ("console: cannot write the console log: %s", g_strerror (errno));
          close (server->log_fd);
          server->log_fd = -1;
          return;
        }
      bytes += n;
      len -= n;
    }
}

/* Main thread: hands what the vCPUs wrote to the log and every client. */
static void
server_distribute (ConsoleServer *server)
{
  g_autoptr (GByteArray) bytes = NULL;
  g_autoptr (GPtrArray) clients = NULL;
  gsize dropped;

  g_mutex_lock (&server->lock);
  bytes = g_steal_pointer (&server->pending);
  server->pending = g_byte_array_new ();
  dropped = server->dropped;
  server->dropped = 0;
  g_mutex_unlock (&server->lock);

  if (dropped > 0)
    g_debug ("console: the vCPUs outran the main thread; %" G_GSIZE_FORMAT " bytes lost", dropped);
  if (bytes->len == 0)
    return;
  write_log (server, bytes->data, bytes->len);
  /* Whoever connected before now is a reader of these bytes, even if the
   * main loop has not got round to accepting it: a client that connects
   * before the guest starts misses nothing. */
  server_accept_pending (server);

  if (server->early != NULL)
    {
      gsize room = CONSOLE_MAX_EARLY - MIN (server->early->len, CONSOLE_MAX_EARLY);
      g_byte_array_append (server->early, bytes->data, MIN (bytes->len, room));
      return;
    }

  /* Sending may drop a client from server->clients: walk a copy. */
  clients = g_ptr_array_new_full (server->clients->len, (GDestroyNotify) unix_peer_unref);
  for (guint i = 0; i < server->clients->len; i++)
    g_ptr_array_add (clients, unix_peer_ref (g_ptr_array_index (server->clients, i)));
  for (guint i = 0; i < clients->len; i++)
    client_send (g_ptr_array_index (clients, i), bytes->data, bytes->len);
}

static gboolean
on_pending (gpointer user_data)
{
  ConsoleServer *server = user_data;

  g_mutex_lock (&server->lock);
  g_clear_pointer (&server->pending_source, g_source_unref);
  g_mutex_unlock (&server->lock);
  server_distribute (server);
  return G_SOURCE_REMOVE;
}

void
console_server_output (ConsoleServer *server, const uint8_t *bytes, size_t len)
{
  gsize room;

  g_return_if_fail (server != NULL);

  g_mutex_lock (&server->lock);
  room = CONSOLE_MAX_PENDING - MIN (server->pending->len, CONSOLE_MAX_PENDING);
  g_byte_array_append (server->pending, bytes, MIN (len, room));
  server->dropped += len - MIN (len, room);
  if (server->pending_source == NULL)
    {
      server->pending_source = g_idle_source_new ();
      g_source_set_priority (server->pending_source, G_PRIORITY_DEFAULT);
      g_source_set_callback (server->pending_source, on_pending, server, NULL);
      g_source_attach (server->pending_source, NULL);
    }
  g_mutex_unlock (&server->lock);
}

static void
on_client_input (UnixPeer *peer, const guint8 *bytes, gsize len, gpointer data)
{
  ConsoleServer *server = ((ConsoleClient *) data)->server;

  /* The first client to type holds the keyboard until it leaves; what the
   * others type would interleave with it, so it is dropped. */
  if (server->writer == NULL)
    server->writer = peer;
  if (server->writer == peer && server->input_func != NULL)
    server->input_func (bytes, len, server->input_data);
  else if (server->writer == peer)
    vmm_console_input (server->vmm, bytes, len);
}

static void
on_client_closed (UnixPeer *peer, gpointer data)
{
  ConsoleServer *server = ((ConsoleClient *) data)->server;

  if (server->writer == peer)
    server->writer = NULL;
  g_ptr_array_remove (server->clients, peer);
}

static const UnixPeerFuncs client_funcs = { on_client_input, on_client_closed };

static void
server_add_client (ConsoleServer *server, int fd)
{
  ConsoleClient *client = g_new0 (ConsoleClient, 1);
  UnixPeer *peer;

  client->server = server;
  peer = unix_peer_new (fd, &client_funcs, client, g_free);
  g_ptr_array_add (server->clients, peer);

  if (server->early != NULL)
    {
      g_autoptr (GByteArray) early = g_steal_pointer (&server->early);
      client_send (peer, early->data, early->len);
    }
}

static void
server_accept_pending (ConsoleServer *server)
{
  for (;;)
    {
      int fd = unix_listener_accept (server->listener);

      if (fd < 0)
        {
          if (errno != EAGAIN)
            g_warning ("console: accept failed: %s", g_strerror (errno));
          return;
        }
      server_add_client (server, fd);
    }
}

static gboolean
on_listener_readable (int listener, GIOCondition condition, gpointer user_data)
{
  server_accept_pending (user_data);
  return G_SOURCE_CONTINUE;
}

static int
open_log (const char *log_path, GError **error)
{
  int fd = open (log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);

  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _ ("Cannot open the console log “%s”: %s"), log_path, g_strerror (saved_errno));
    }
  return fd;
}

ConsoleServer *
console_server_new (Vmm *vmm, const char *path, const char *log_path, GError **error)
{
  ConsoleServer *server;
  int listener;
  int log_fd = -1;

  g_return_val_if_fail (vmm != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  if (log_path != NULL && (log_fd = open_log (log_path, error)) < 0)
    return NULL;
  listener = unix_listener_new (path, error);
  if (listener < 0)
    {
      g_prefix_error (error, _ ("Cannot listen on the console socket “%s”: "), path);
      if (log_fd >= 0)
        close (log_fd);
      return NULL;
    }

  server = g_new0 (ConsoleServer, 1);
  server->vmm = vmm;
  server->path = g_strdup (path);
  server->log_fd = log_fd;
  server->listener = listener;
  server->clients = g_ptr_array_new_with_free_func ((GDestroyNotify) unix_peer_unref);
  server->pending = g_byte_array_new ();
  server->early = g_byte_array_new ();
  g_mutex_init (&server->lock);
  server->accept_source = unix_fd_watch (listener, G_IO_IN, on_listener_readable, server);
  return server;
}

/* The vCPUs must be stopped (or the output callback unset) before this:
 * a vCPU still calling console_server_output () would use freed memory. */
void
console_server_free (ConsoleServer *server)
{
  if (server == NULL)
    return;

  /* The last words of the guest still go to the log and, best effort, the clients. */
  server_distribute (server);
  g_mutex_lock (&server->lock);
  clear_source (&server->pending_source);
  g_mutex_unlock (&server->lock);

  clear_source (&server->accept_source);
  while (server->clients->len > 0)
    unix_peer_close (g_ptr_array_index (server->clients, server->clients->len - 1));
  g_ptr_array_unref (server->clients);
  close (server->listener);
  unlink (server->path);
  if (server->log_fd >= 0)
    close (server->log_fd);
  g_byte_array_unref (server->pending);
  g_clear_pointer (&server->early, g_byte_array_unref);
  g_mutex_clear (&server->lock);
  g_free (server->path);
  g_free (server);
}

void
console_server_set_input_func (ConsoleServer *server, ConsoleInputFunc func, void *data)
{
  g_return_if_fail (server != NULL);
  server->input_func = func;
  server->input_data = data;
}
