/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * app-startup-floor [--page]: an empty libadwaita window of Hangar's default
 * size, titled "Floor", and nothing else: what any GTK 4 + libadwaita app
 * pays to show a window on this machine, the floor under Hangar's start-up
 * in bench/app-startup. With --page the window has what the least app shows:
 * a header bar with a button, and a page with a title and a line of text.
 */
#include <adwaita.h>

static gboolean with_page;

static GtkWidget *
new_page (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header_bar = adw_header_bar_new ();
  GtkWidget *page = adw_status_page_new ();

  adw_header_bar_pack_start (ADW_HEADER_BAR (header_bar),
                             gtk_button_new_from_icon_name ("list-add-symbolic"));
  adw_status_page_set_title (ADW_STATUS_PAGE (page), "No Virtual Machines");
  adw_status_page_set_description (ADW_STATUS_PAGE (page), "Machines appear here.");
  gtk_widget_set_vexpand (page, TRUE);
  gtk_box_append (GTK_BOX (box), header_bar);
  gtk_box_append (GTK_BOX (box), page);
  return box;
}

static void
on_activate (GtkApplication *app)
{
  GtkWidget *window = adw_application_window_new (app);

  if (with_page)
    adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), new_page ());
  gtk_window_set_title (GTK_WINDOW (window), "Floor");
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 680);
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  g_autoptr (AdwApplication) app =
      adw_application_new ("io.github.hangar.AppStartupFloor", G_APPLICATION_NON_UNIQUE);

  with_page = argc > 1 && g_str_equal (argv[1], "--page");
  g_signal_connect (app, "activate", G_CALLBACK (on_activate), NULL);
  return g_application_run (G_APPLICATION (app), 1, argv);
}
