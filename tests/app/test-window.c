/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The real main window over a libvirt test-driver host: select a machine as a
 * click does, start and force it off through the same actions its buttons
 * activate, and check what the window shows. Screenshots go to the directory
 * given as the first argument.
 */
#include "config.h"

#include <adwaita.h>

#include "gui-test-util.h"
#include "hangar-application.h"
#include "hangar-connection-section.h"
#include "hangar-machine-page.h"
#include "hangar-window.h"

typedef struct
{
  HangarMachine *machine;
  HangarMachineState state;
} StateWait;

static gboolean
has_state (gpointer data)
{
  StateWait *wait = data;

  return hangar_machine_get_state (wait->machine) == wait->state;
}

static gboolean
button_labelled (GtkWidget *button, const char *label)
{
  return g_strcmp0 (gtk_button_get_label (GTK_BUTTON (button)), label) == 0;
}

static const char *
shown_state (GtkWidget *window)
{
  GtkWidget *row = find_widget (window, ADW_TYPE_ACTION_ROW, row_titled, "State");

  g_assert_nonnull (row);
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
}

static gboolean
button_sensitive (GtkWidget *window, const char *label)
{
  GtkWidget *button = find_widget (window, GTK_TYPE_BUTTON, button_labelled, label);

  g_assert_nonnull (button);
  return gtk_widget_is_sensitive (button);
}

static HangarConnectionSection *
section_for (GtkWidget *window, HangarConnection *connection)
{
  for (GtkWidget *w = find_widget (window, HANGAR_TYPE_CONNECTION_SECTION, any, NULL); w != NULL;
       w = gtk_widget_get_next_sibling (w))
    {
      if (hangar_connection_section_get_connection (HANGAR_CONNECTION_SECTION (w)) == connection)
        return HANGAR_CONNECTION_SECTION (w);
    }
  return NULL;
}

/* The shown message dialog whose extra widget is of EXTRA_TYPE: the one the
 * last action opened (an answered one may still be on its way out). */
static AdwMessageDialog *
find_message_dialog (GType extra_type)
{
  GListModel *toplevels = gtk_window_get_toplevels (); /* owned by GTK */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) window = g_list_model_get_item (toplevels, i);
      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)) &&
          G_TYPE_CHECK_INSTANCE_TYPE (
              adw_message_dialog_get_extra_child (ADW_MESSAGE_DIALOG (window)), extra_type))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static gboolean
has_machine (gpointer data)
{
  HangarConnection *connection = data;

  return hangar_connection_find_machine (connection, "db-copy") != NULL;
}

static gboolean
lacks_machine (gpointer data)
{
  return !has_machine (data);
}

/* Clone "db" through its dialog, then delete the clone with its disks. */
static void
clone_and_delete (GtkWidget *window, HangarMachinePage *page, HangarConnection *connection)
{
  AdwMessageDialog *dialog;
  HangarMachine *copy;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "machine.clone", NULL));
  dialog = find_message_dialog (GTK_TYPE_ENTRY);
  g_assert_nonnull (dialog);
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)), "db-copy");
  adw_message_dialog_response (dialog, "clone");
  wait_for (has_machine, connection, "the clone db-copy");

  copy = hangar_connection_find_machine (connection, "db-copy");
  g_assert_true (hangar_window_show_machine (HANGAR_WINDOW (window), copy));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "machine.delete", NULL));
  dialog = find_message_dialog (GTK_TYPE_CHECK_BUTTON);
  g_assert_nonnull (dialog);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (adw_message_dialog_get_extra_child (dialog)),
                               TRUE);
  adw_message_dialog_response (dialog, "delete");
  wait_for (lacks_machine, connection, "db-copy to be deleted");
}

static void
run_scenario (GtkApplication *app)
{
  HangarConnectionList *list = hangar_application_get_connections (HANGAR_APPLICATION (app));
  GListModel *connections = hangar_connection_list_get_model (list);
  g_autoptr (HangarConnection) connection = NULL;
  GtkWidget *window = GTK_WIDGET (gtk_application_get_active_window (app));
  HangarMachinePage *page;
  HangarMachine *db;
  StateWait wait;

  g_assert_nonnull (window);
  wait_for (has_drawn, window, "the window to be shown");
  wait_for (has_libvirt_connection, connections, "the --connect connection to be added");
  /* This Computer comes first; the --connect host last. */
  connection = g_list_model_get_item (connections, g_list_model_get_n_items (connections) - 1);
  wait_for (is_connected, connection, "the test connection");
  save_screenshot (window, "01-machine-list.png");

  /* Select "db" in the list, as a click on its row does. */
  db = hangar_connection_find_machine (connection, "db");
  g_assert_nonnull (db);
  g_assert_true (hangar_connection_section_select (section_for (window, connection), db));
  page = HANGAR_MACHINE_PAGE (find_widget (window, HANGAR_TYPE_MACHINE_PAGE, any, NULL));
  g_assert_true (hangar_machine_page_get_machine (page) == db);
  g_assert_cmpstr (shown_state (window), ==, "Stopped");
  g_assert_true (button_sensitive (window, "_Start"));
  g_assert_false (button_sensitive (window, "_Force Off"));
  save_screenshot (window, "02-stopped.png");

  /* Start, as the Start button does. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "machine.start", NULL));
  wait = (StateWait){ db, HANGAR_MACHINE_STATE_RUNNING };
  wait_for (has_state, &wait, "db to run");
  g_assert_cmpstr (shown_state (window), ==, "Running");
  g_assert_false (button_sensitive (window, "_Start"));
  g_assert_true (button_sensitive (window, "_Pause"));
  save_screenshot (window, "03-running.png");

  /* Force off, as its button does. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "machine.force-off", NULL));
  wait = (StateWait){ db, HANGAR_MACHINE_STATE_STOPPED };
  wait_for (has_state, &wait, "db to stop");
  g_assert_cmpstr (shown_state (window), ==, "Stopped");
  g_assert_true (button_sensitive (window, "_Start"));
  save_screenshot (window, "04-stopped-again.png");

  clone_and_delete (window, page, connection);

  /* The host page explains every requirement. */
  g_assert_true (gtk_widget_activate_action (window, "win.show-host", NULL));
  g_assert_nonnull (
      find_widget (window, ADW_TYPE_ACTION_ROW, row_titled, "Hardware virtualization"));
  save_screenshot (window, "05-host.png");

  g_application_quit (G_APPLICATION (app));
}

static void
on_activate (GtkApplication *app)
{
  /* After the application's own handler has made the window. */
  g_idle_add_once ((GSourceOnceFunc) run_scenario, app);
}

int
main (int argc, char *argv[])
{
  g_autoptr (HangarApplication) app = NULL;
  g_autofree char *uri = NULL;
  char *app_argv[4];

  g_assert_cmpint (argc, ==, 3);
  screenshot_dir = argv[1];
  g_mkdir_with_parents (screenshot_dir, 0755);
  uri = g_strconcat ("test://", argv[2], NULL);
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
