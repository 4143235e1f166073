/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * app-startup-floor: an empty libadwaita window of Hangar's default size,
 * titled "Floor", and nothing else: what any GTK 4 + libadwaita app pays to
 * show a window on this machine, the floor under Hangar's start-up in
 * bench/app-startup.
 */
#include <adwaita.h>

static void
on_activate (GtkApplication *app)
{
  GtkWidget *window = adw_application_window_new (app);

  gtk_window_set_title (GTK_WINDOW (window), "Floor");
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 680);
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  g_autoptr (AdwApplication) app =
      adw_application_new ("io.github.hangar.AppStartupFloor", G_APPLICATION_NON_UNIQUE);

  g_signal_connect (app, "activate", G_CALLBACK (on_activate), NULL);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
