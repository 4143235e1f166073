/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the console tests share: waiting in the main loop, the guest's sockets
 * and real input through xdotool. Header-only: each test is one program. */
#pragma once

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <gtk/gtk.h>
#include <vte/vte.h>

#include "hangar-connection.h"

typedef gboolean (*Condition) (gpointer data);

static G_GNUC_UNUSED void
wait_for (Condition condition, gpointer data, const char *what, guint seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out after %u s waiting for %s", seconds, what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

static G_GNUC_UNUSED void
spin (guint milliseconds)
{
  gint64 end = g_get_monotonic_time () + milliseconds * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

/* A connection to the unix socket named by the environment variable VARIABLE,
 * retried while QEMU starts. */
static G_GNUC_UNUSED GSocketConnection *
connect_env_socket (const char *variable)
{
  const char *path = g_getenv (variable);
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketAddress) address = NULL;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  g_assert_nonnull (path);
  address = g_unix_socket_address_new (path);
  for (;;)
    {
      g_autoptr (GError) error = NULL;
      GSocketConnection *connection =
          g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);
      if (connection != NULL)
        return connection;
      if (g_get_monotonic_time () > deadline)
        g_error ("could not connect to %s: %s", path, error->message);
      g_usleep (50000);
    }
}

/* Collects what the guest writes on a stream, in the main loop. */
typedef struct
{
  GInputStream *input;
  GString *text;
} Collector;

static void collector_read (Collector *collector);

static G_GNUC_UNUSED void
collector_done (GObject *source, GAsyncResult *result, gpointer data)
{
  Collector *collector = data;
  g_autoptr (GBytes) bytes = g_input_stream_read_bytes_finish (collector->input, result, NULL);

  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    return;
  g_string_append_len (collector->text, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_print ("# guest: %.*s", (int) g_bytes_get_size (bytes),
           (const char *) g_bytes_get_data (bytes, NULL));
  collector_read (collector);
}

static G_GNUC_UNUSED void
collector_read (Collector *collector)
{
  g_input_stream_read_bytes_async (collector->input, 4096, G_PRIORITY_DEFAULT, NULL, collector_done,
                                   collector);
}

typedef struct
{
  GString *text;
  const char *needle;
} TextWait;

static G_GNUC_UNUSED gboolean
text_has (gpointer data)
{
  TextWait *wait = data;

  return strstr (wait->text->str, wait->needle) != NULL;
}

/* Real input through the X server, as a user's keyboard and mouse give it. */
static G_GNUC_UNUSED void
xdotool (const char *arguments)
{
  g_autofree char *command = g_strconcat ("xdotool ", arguments, NULL);
  g_autoptr (GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* Clicks the middle of WIDGET, which must be in a mapped window at 0, 0. */
static G_GNUC_UNUSED void
click_widget (GtkWidget *widget)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  double x = 0, y = 0;
  g_autofree char *arguments = NULL;

  double surface_x = 0, surface_y = 0;

  g_assert_true (gtk_widget_translate_coordinates (widget, GTK_WIDGET (root),
                                                   gtk_widget_get_width (widget) / 2.0,
                                                   gtk_widget_get_height (widget) / 2.0, &x, &y));
  /* Tests use undecorated windows, which the X server without a window
   * manager puts at 0, 0. */
  gtk_native_get_surface_transform (GTK_NATIVE (root), &surface_x, &surface_y);
  x += surface_x;
  y += surface_y;
  arguments = g_strdup_printf ("mousemove --sync %d %d click 1", (int) x, (int) y);
  xdotool (arguments);
}

/* ---- The app's widgets and objects, for wait_for () ---- */

/* The first widget of TYPE in ROOT's tree, ROOT included. */
static G_GNUC_UNUSED GtkWidget *
find_widget (GtkWidget *root, GType type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static G_GNUC_UNUSED gboolean
is_connected (gpointer data)
{
  return hangar_connection_get_state (data) == HANGAR_CONNECTION_STATE_CONNECTED;
}

/* The app's connections (a GListModel) include more than This Computer: the
 * app adds libvirt connections once its window has drawn. */
static G_GNUC_UNUSED gboolean
has_libvirt_connection (gpointer data)
{
  return g_list_model_get_n_items (data) > 1;
}

typedef struct
{
  HangarMachine *machine;
  HangarMachineState state;
} StateWait;

static G_GNUC_UNUSED gboolean
has_state (gpointer data)
{
  StateWait *wait = data;

  return hangar_machine_get_state (wait->machine) == wait->state;
}

/* A terminal showing NEEDLE, for wait_for (terminal_shows, ...). */
typedef struct
{
  VteTerminal *terminal;
  const char *needle;
} TerminalWait;

static G_GNUC_UNUSED gboolean
terminal_shows (gpointer data)
{
  TerminalWait *wait = data;
  g_autofree char *text = vte_terminal_get_text (wait->terminal, NULL, NULL, NULL);

  return text != NULL && strstr (text, wait->needle) != NULL;
}

static G_GNUC_UNUSED gboolean
is_focused (gpointer data)
{
  return gtk_widget_has_focus (data);
}
