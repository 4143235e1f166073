/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hangar-spice-viewer SOCKET: HangarSpiceDisplay alone in a window, on a SPICE
 * server's unix socket; the console benchmark's client (bench/console), and a
 * way to look at a guest by hand. On SIGTERM it prints what drawing cost.
 */
#include "config.h"

#include <adwaita.h>
#include <glib-unix.h>

#include "hangar-spice-display.h"

static gboolean
on_terminate (gpointer data)
{
  guint64 frames = 0, tiles = 0;

  hangar_spice_display_get_stats (HANGAR_SPICE_DISPLAY (data), &frames, &tiles);
  g_print ("frames %" G_GUINT64_FORMAT " tiles-converted %" G_GUINT64_FORMAT "\n", frames, tiles);
  exit (0);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char *argv[])
{
  SpiceSession *session;
  GtkWindow *window;
  GtkWidget *display;

  if (argc != 2)
    {
      g_printerr ("Usage: %s SPICE-UNIX-SOCKET\n", argv[0]);
      return 2;
    }
  gtk_init ();
  adw_init ();

  session = spice_session_new ();
  g_object_set (session, "unix-path", argv[1], NULL);
  display = hangar_spice_display_new ();
  hangar_spice_display_set_session (HANGAR_SPICE_DISPLAY (display), session);
  if (!spice_session_connect (session))
    {
      g_printerr ("Could not connect to %s\n", argv[1]);
      return 1;
    }
  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_title (window, "hangar-spice-viewer");
  gtk_window_set_decorated (window, FALSE);
  gtk_window_set_default_size (window, 1920, 1080);
  gtk_window_set_child (window, display);
  gtk_window_present (window);
  g_unix_signal_add (SIGTERM, on_terminate, display);

  while (g_list_model_get_n_items (gtk_window_get_toplevels ()) > 0)
    g_main_context_iteration (NULL, TRUE);
  return 0;
}
