/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The machine page's Console tab in the real window, over a libvirt
 * test-driver host: it explains a stopped machine and offers Start, a paused
 * one and offers Resume, and says why it cannot connect when the back end has
 * no console to give (libvirt's test driver has none), with a way to try again.
 */
#include "config.h"

#include <adwaita.h>

#include "console-test-util.h"
#include "hangar-application.h"
#include "hangar-connection-section.h"
#include "hangar-console-page.h"
#include "hangar-machine-page.h"
#include "hangar-window.h"

typedef struct
{
  HangarConsolePage *page;
  const char *view;
} ViewWait;

static gboolean
shows_view (gpointer data)
{
  ViewWait *wait = data;

  return g_strcmp0 (hangar_console_page_get_view (wait->page), wait->view) == 0;
}

static void
expect_view (HangarConsolePage *page, const char *view)
{
  ViewWait wait = { page, view };
  g_autofree char *what = g_strdup_printf ("the console page to show “%s”", view);

  wait_for (shows_view, &wait, what, 20);
}

/* The visible status page's button is bound to ACTION; returns the page. */
static AdwStatusPage *
expect_button (HangarConsolePage *page, const char *action)
{
  GtkStack *stack = GTK_STACK (gtk_widget_get_first_child (GTK_WIDGET (page)));
  GtkWidget *status;
  GtkWidget *button;

  stack = GTK_STACK (gtk_widget_get_next_sibling (GTK_WIDGET (stack)));
  status = gtk_stack_get_visible_child (stack);
  g_assert_true (ADW_IS_STATUS_PAGE (status));
  button = adw_status_page_get_child (ADW_STATUS_PAGE (status));
  g_assert_true (GTK_IS_BUTTON (button));
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==, action);
  g_assert_true (gtk_widget_is_sensitive (button));
  return ADW_STATUS_PAGE (status);
}

static void
run_scenario (GtkApplication *app)
{
  HangarConnectionList *list = hangar_application_get_connections (HANGAR_APPLICATION (app));
  GListModel *connections = hangar_connection_list_get_model (list);
  g_autoptr (HangarConnection) connection = NULL;
  GtkWidget *window = GTK_WIDGET (gtk_application_get_active_window (app));
  HangarMachinePage *machine_page;
  HangarConsolePage *page;
  HangarMachine *db;
  const char *why;

  wait_for (has_libvirt_connection, connections, "the --connect connection to be added", 20);
  connection = g_list_model_get_item (connections, g_list_model_get_n_items (connections) - 1);
  wait_for (is_connected, connection, "the test connection", 20);
  db = hangar_connection_find_machine (connection, "db");
  g_assert_nonnull (db);
  /* Selects its row, as a click does. */
  g_assert_true (hangar_window_show_machine (HANGAR_WINDOW (window), db));
  machine_page = HANGAR_MACHINE_PAGE (find_widget (window, HANGAR_TYPE_MACHINE_PAGE));
  adw_view_stack_set_visible_child_name (
      ADW_VIEW_STACK (find_widget (GTK_WIDGET (machine_page), ADW_TYPE_VIEW_STACK)), "console");
  page = HANGAR_CONSOLE_PAGE (find_widget (GTK_WIDGET (machine_page), HANGAR_TYPE_CONSOLE_PAGE));
  g_assert_true (hangar_console_page_get_machine (page) == db);
  spin (200);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (page)));

  expect_view (page, "off");
  expect_button (page, "machine.start");

  /* Start, as the status page's button does: the test driver has no console. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "machine.start", NULL));
  expect_view (page, "failed");
  why = adw_status_page_get_description (expect_button (page, "console.reconnect"));
  g_print ("# why: %s\n", why);
  g_assert_nonnull (strstr (why, "“db”"));
  g_assert_nonnull (strstr (why, "not supported"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "machine.pause", NULL));
  expect_view (page, "paused");
  expect_button (page, "machine.resume");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "machine.force-off", NULL));
  expect_view (page, "off");

  g_application_quit (G_APPLICATION (app));
}

static void
on_activate (GtkApplication *app)
{
  g_idle_add_once ((GSourceOnceFunc) run_scenario, app);
}

int
main (int argc, char *argv[])
{
  g_autoptr (HangarApplication) app = NULL;
  g_autofree char *uri = NULL;
  char *app_argv[4];

  g_assert_cmpint (argc, ==, 2);
  uri = g_strconcat ("test://", argv[1], NULL);
  g_setenv ("LANGUAGE", "C", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  app = hangar_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), NULL);
  app_argv[0] = argv[0];
  app_argv[1] = (char *) "--connect";
  app_argv[2] = uri;
  app_argv[3] = NULL;
  return g_application_run (G_APPLICATION (app), 3, app_argv);
}
