/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hangar-libvirt-stream.h"

#define CHUNK 16384

/* Bytes wait in a buffer only while the other side cannot take them; then the
 * side that sent them is not read until the buffer drains (back pressure). */
typedef struct
{
  virStreamPtr stream;
  int fd; /* the pump's end of the socket pair */
  guint fd_source;
  GIOCondition fd_condition;
  GByteArray *to_guest; /* read from the socket, not yet taken by the stream */
  GByteArray *to_app;   /* read from the stream, not yet written to the socket */
  gboolean guest_eof;   /* the stream ended: close the socket once to_app drains */
  gboolean closed;
} Pump;

static void pump_update (Pump *pump);

static void
pump_free (gpointer data)
{
  Pump *pump = data;

  virStreamAbort (pump->stream);
  virResetLastError ();
  virStreamFree (pump->stream);
  /* The app sees the end of its stream. */
  close (pump->fd);
  g_byte_array_unref (pump->to_guest);
  g_byte_array_unref (pump->to_app);
  g_free (pump);
}

static gboolean
pump_free_idle (gpointer data)
{
  pump_free (data);
  return G_SOURCE_REMOVE;
}

static void
pump_close (Pump *pump)
{
  if (pump->closed)
    return;
  pump->closed = TRUE;
  g_clear_handle_id (&pump->fd_source, g_source_remove);
  virStreamEventRemoveCallback (pump->stream);
  virResetLastError ();
  /* Not the callback's free function: libvirt's remote driver (all of
   * libvirtd's clients) never calls it, so the pump would live on and the
   * app's end stay open after the guest's console ended. Not now either:
   * this may run inside the stream's own callback. */
  g_idle_add (pump_free_idle, pump);
}

/* Sends what waits for the guest; FALSE when the stream failed. */
static gboolean
flush_to_guest (Pump *pump)
{
  while (pump->to_guest->len > 0)
    {
      int sent = virStreamSend (pump->stream, (const char *) pump->to_guest->data,
                                MIN (pump->to_guest->len, CHUNK));
      if (sent == -2)
        return TRUE;
      if (sent < 0)
        return FALSE;
      g_byte_array_remove_range (pump->to_guest, 0, sent);
    }
  return TRUE;
}

/* Writes what waits for the app; FALSE when the app's end is gone. */
static gboolean
flush_to_app (Pump *pump)
{
  while (pump->to_app->len > 0)
    {
      ssize_t written = write (pump->fd, pump->to_app->data, pump->to_app->len);
      if (written < 0 && (errno == EAGAIN || errno == EINTR))
        return errno == EAGAIN || flush_to_app (pump);
      if (written < 0)
        return FALSE;
      g_byte_array_remove_range (pump->to_app, 0, written);
    }
  return TRUE;
}

static void
on_stream_event (virStreamPtr stream, int events, void *opaque)
{
  Pump *pump = opaque;

  if (pump->closed)
    return;
  if (events & VIR_STREAM_EVENT_WRITABLE && !flush_to_guest (pump))
    return pump_close (pump);
  if (events & VIR_STREAM_EVENT_READABLE && pump->to_app->len == 0)
    {
      char buffer[CHUNK];
      int got = virStreamRecv (stream, buffer, sizeof buffer);

      if (got > 0)
        g_byte_array_append (pump->to_app, (guint8 *) buffer, got);
      else if (got == 0)
        pump->guest_eof = TRUE;
      else if (got == -1)
        pump->guest_eof = TRUE;
    }
  else if (events & (VIR_STREAM_EVENT_HANGUP | VIR_STREAM_EVENT_ERROR))
    pump->guest_eof = TRUE;
  if (!flush_to_app (pump))
    return pump_close (pump);
  pump_update (pump);
}

static gboolean
on_fd_ready (int fd, GIOCondition condition, gpointer data)
{
  Pump *pump = data;

  if (condition & G_IO_OUT && !flush_to_app (pump))
    {
      pump->fd_source = 0;
      pump_close (pump);
      return G_SOURCE_REMOVE;
    }
  if (condition & (G_IO_IN | G_IO_HUP | G_IO_ERR) && pump->to_guest->len == 0)
    {
      guint8 buffer[CHUNK];
      ssize_t got = read (fd, buffer, sizeof buffer);

      if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
        {
          /* The app closed its end. */
          pump->fd_source = 0;
          pump_close (pump);
          return G_SOURCE_REMOVE;
        }
      if (got > 0)
        g_byte_array_append (pump->to_guest, buffer, got);
      if (!flush_to_guest (pump))
        {
          pump->fd_source = 0;
          pump_close (pump);
          return G_SOURCE_REMOVE;
        }
    }
  pump_update (pump);
  return pump->fd_source != 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* Watches each side for what the pump can do now. */
static void
pump_update (Pump *pump)
{
  GIOCondition condition = 0;
  int events = 0;

  if (pump->closed)
    return;
  if (pump->guest_eof && pump->to_app->len == 0)
    return pump_close (pump);
  if (pump->to_guest->len == 0)
    condition |= G_IO_IN;
  if (pump->to_app->len > 0)
    condition |= G_IO_OUT;
  if (condition != pump->fd_condition || pump->fd_source == 0)
    {
      g_clear_handle_id (&pump->fd_source, g_source_remove);
      pump->fd_source = g_unix_fd_add (pump->fd, condition, on_fd_ready, pump);
      pump->fd_condition = condition;
    }
  if (pump->to_app->len == 0 && !pump->guest_eof)
    events |= VIR_STREAM_EVENT_READABLE;
  if (pump->to_guest->len > 0)
    events |= VIR_STREAM_EVENT_WRITABLE;
  virStreamEventUpdateCallback (pump->stream, events);
}

GIOStream *
_hangar_libvirt_stream_bridge (virStreamPtr stream, GError **error)
{
  g_autoptr (GSocket) socket = NULL;
  Pump *pump;
  int fds[2];

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) < 0)
    {
      int saved = errno;
      virStreamAbort (stream);
      virStreamFree (stream);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _ ("Could not connect to the console: %s"), g_strerror (saved));
      return NULL;
    }
  socket = g_socket_new_from_fd (fds[0], error);
  if (socket == NULL)
    {
      close (fds[0]);
      close (fds[1]);
      virStreamAbort (stream);
      virStreamFree (stream);
      return NULL;
    }

  pump = g_new0 (Pump, 1);
  pump->stream = stream;
  pump->fd = fds[1];
  pump->to_guest = g_byte_array_new ();
  pump->to_app = g_byte_array_new ();
  if (virStreamEventAddCallback (stream, VIR_STREAM_EVENT_READABLE, on_stream_event, pump, NULL) <
      0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _ ("Could not connect to the console: %s"),
                   virGetLastErrorMessage ());
      pump_free (pump);
      return NULL;
    }
  pump_update (pump);
  return G_IO_STREAM (g_socket_connection_factory_create_connection (socket));
}
