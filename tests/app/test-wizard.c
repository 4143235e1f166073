/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The new-machine wizard in the real main window over a libvirt test-driver
 * host: Ctrl+N's action opens it, every page is filled through the widgets a
 * user types and clicks in, and Next and Create are the actions their buttons
 * activate. The installer is a small Debian-like ISO built here with xorriso.
 * A screenshot of each page goes to the directory given as first argument.
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "gui-test-util.h"
#include "hangar-application.h"
#include "hangar-new-machine-wizard.h"
#include "hangar-machine-page.h"
#include "hangar-window.h"

static char *work_dir;
static char *iso_path;

static gboolean
label_contains (GtkWidget *label, const char *text)
{
  return strstr (gtk_label_get_text (GTK_LABEL (label)), text) != NULL;
}

static void
type_into (GtkWidget *wizard, const char *title, const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row (wizard, ADW_TYPE_ENTRY_ROW, title)), text);
}

/* A click on a row activates the check button or switch in it. */
static void
click_row (GtkWidget *wizard, const char *title)
{
  adw_action_row_activate (ADW_ACTION_ROW (row (wizard, ADW_TYPE_ACTION_ROW, title)));
}

/* Next, as its button does, then wait for PAGE (an installer may be read). */
static void
press_next (GtkWidget *wizard, const char *page)
{
  PageWait wait = { wizard, page };

  wait_for (next_sensitive, wizard, "the Next button to be sensitive");
  g_assert_true (gtk_widget_activate_action (wizard, "wizard.next", NULL));
  wait_for (on_page, &wait, page);
}

/* libosinfo's list, searched for "Debian": its releases, nothing else. */
static gboolean
lists_systems (gpointer data)
{
  GListModel *shown = G_LIST_MODEL (gtk_list_view_get_model (data));
  guint n = g_list_model_get_n_items (shown);

  /* The filter applies in the background: wait until only Debian shows. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GtkStringObject) item = g_list_model_get_item (shown, i);
      if (strstr (gtk_string_object_get_string (item), "Debian") == NULL)
        return FALSE;
    }
  return n >= 10;
}

static gboolean
has_machine (gpointer data)
{
  return hangar_connection_find_machine (data, "debian11") != NULL;
}

static void
fill_and_create (GtkWidget *window, HangarConnection *connection)
{
  GtkWidget *wizard;
  GtkWidget *summary;
  GtkTextView *xml_view;
  AdwComboRow *connection_row;
  GtkTextIter start, end;
  g_autofree char *xml = NULL;

  /* Ctrl+N's action opens the wizard on the source page. */
  g_assert_true (gtk_widget_activate_action (window, "win.new-machine", NULL));
  wizard = find_wizard ();
  g_assert_nonnull (wizard);
  g_object_set_data (G_OBJECT (wizard), "test-next-button",
                     find_widget (wizard, GTK_TYPE_BUTTON, is_next_button, NULL));
  wait_for (has_drawn, wizard, "the wizard to be shown");
  g_assert_cmpstr (hangar_new_machine_wizard_get_page (HANGAR_NEW_MACHINE_WIZARD (wizard)), ==,
                   "source");

  /* Source: on the libvirt test host (This Computer comes first), the disc image. */
  connection_row =
      ADW_COMBO_ROW (find_widget (wizard, ADW_TYPE_COMBO_ROW, row_titled, "Connection"));
  g_assert_nonnull (connection_row);
  adw_combo_row_set_selected (
      connection_row, g_list_model_get_n_items (adw_combo_row_get_model (connection_row)) - 1);
  g_assert_false (next_sensitive (wizard));
  type_into (wizard, "Disc image", iso_path);
  save_screenshot (wizard, "wizard-1-source.png");
  press_next (wizard, "os");

  /* Operating system: recognized by libosinfo; the list can be searched. */
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (
                       find_widget (shown_page (wizard), ADW_TYPE_ACTION_ROW, any, NULL))),
                   ==, "Debian 11");
  gtk_editable_set_text (
      GTK_EDITABLE (find_widget (shown_page (wizard), GTK_TYPE_SEARCH_ENTRY, any, NULL)), "Debian");
  wait_for (lists_systems, find_widget (shown_page (wizard), GTK_TYPE_LIST_VIEW, any, NULL),
            "the list of systems");
  save_screenshot (wizard, "wizard-2-os.png");
  press_next (wizard, "resources");

  /* Processors and memory: Debian 11's recommendation, within the host. */
  g_assert_nonnull (strstr (subtitle_of (wizard, "_Memory (MiB)"), "Debian 11 recommends 1024"));
  save_screenshot (wizard, "wizard-3-resources.png");
  press_next (wizard, "disk");

  /* Disk: a new 20 GiB image in the storage pool, with its free space. */
  g_assert_nonnull (strstr (subtitle_of (wizard, "New disk image"), "/images"));
  g_assert_nonnull (strstr (subtitle_of (wizard, "New disk image"), "GiB are free"));
  save_screenshot (wizard, "wizard-4-disk.png");
  press_next (wizard, "network");

  /* Network: a new isolated lab network. */
  click_row (wizard, "Isolated lab network");
  type_into (wizard, "Or a new lab network named", "lab2");
  save_screenshot (wizard, "wizard-5-network.png");
  press_next (wizard, "summary");

  /* Summary: a taken name is refused, with the reason shown. */
  summary = shown_page (wizard);
  type_into (wizard, "Name", "db");
  g_assert_false (next_sensitive (wizard));
  g_assert_nonnull (find_widget (summary, GTK_TYPE_LABEL, label_contains, "exists already"));
  save_screenshot (wizard, "wizard-6-summary-name-taken.png");
  type_into (wizard, "Name", "debian11");
  g_assert_true (next_sensitive (wizard));
  click_row (wizard, "C_ustomize before start");
  gtk_expander_set_expanded (GTK_EXPANDER (find_widget (summary, GTK_TYPE_EXPANDER, any, NULL)),
                             TRUE);
  xml_view = GTK_TEXT_VIEW (find_widget (summary, GTK_TYPE_TEXT_VIEW, any, NULL));
  gtk_text_buffer_get_bounds (gtk_text_view_get_buffer (xml_view), &start, &end);
  xml = gtk_text_buffer_get_text (gtk_text_view_get_buffer (xml_view), &start, &end, FALSE);
  g_assert_nonnull (strstr (xml, "<source network='lab2'/>"));
  g_assert_nonnull (strstr (xml, "<source file='/images/debian11.img'/>"));
  g_assert_nonnull (strstr (xml, "device='cdrom'"));
  g_assert_nonnull (strstr (xml, "<boot dev='cdrom'/>"));
  save_screenshot (wizard, "wizard-6-summary.png");

  /* Create, as its button does. */
  g_assert_true (gtk_widget_activate_action (wizard, "wizard.next", NULL));
  wait_for (has_machine, connection, "debian11 in the machine list");
  wait_for (wizard_gone, NULL, "the wizard to close");
}

static void
check_machine (GtkWidget *window, HangarConnection *connection)
{
  HangarMachine *machine = hangar_connection_find_machine (connection, "debian11");
  const HangarMachineSpec *spec = hangar_machine_get_spec (machine);
  const HangarDiskSpec *disk;
  const HangarDiskSpec *cdrom;
  HangarMachinePage *page;

  g_assert_cmpstr (spec->os_id, ==, "http://debian.org/debian/11");
  g_assert_cmpuint (spec->memory_mib, ==, 1024);
  g_assert_cmpuint (spec->disks->len, ==, 2);
  disk = g_ptr_array_index (spec->disks, 0);
  cdrom = g_ptr_array_index (spec->disks, 1);
  g_assert_cmpstr (disk->path, ==, "/images/debian11.img");
  g_assert_cmpstr (cdrom->path, ==, iso_path);
  g_assert_true (cdrom->cdrom);
  g_assert_cmpuint (spec->nics->len, ==, 1);
  g_assert_cmpstr (((HangarNicSpec *) g_ptr_array_index (spec->nics, 0))->source, ==, "lab2");
  /* "Customize before start": the machine's page, and the machine not started. */
  g_assert_cmpint (hangar_machine_get_state (machine), ==, HANGAR_MACHINE_STATE_STOPPED);
  page = HANGAR_MACHINE_PAGE (find_widget (window, HANGAR_TYPE_MACHINE_PAGE, any, NULL));
  g_assert_nonnull (page);
  g_assert_true (hangar_machine_page_get_machine (page) == machine);
  save_screenshot (window, "wizard-7-machine-page.png");
}

static void
run_scenario (GtkApplication *app)
{
  HangarConnectionList *list = hangar_application_get_connections (HANGAR_APPLICATION (app));
  GListModel *connections = hangar_connection_list_get_model (list);
  g_autoptr (HangarConnection) connection = NULL;
  GtkWidget *window = GTK_WIDGET (gtk_application_get_active_window (app));

  g_assert_nonnull (window);
  wait_for (has_drawn, window, "the window to be shown");
  wait_for (has_libvirt_connection, connections, "the --connect connection to be added");
  connection = g_list_model_get_item (connections, g_list_model_get_n_items (connections) - 1);
  wait_for (is_connected, connection, "the test connection");
  fill_and_create (window, connection);
  check_machine (window, connection);
  g_application_quit (G_APPLICATION (app));
}

static void
on_activate (GtkApplication *app)
{
  g_idle_add_once ((GSourceOnceFunc) run_scenario, app);
}

/* A Debian 11 netinst look-alike: the volume ID libosinfo matches, an El
 * Torito boot image, and the installer's kernel and initrd. */
static void
build_iso (void)
{
  static const char *const files[][2] = {
    { ".disk/info", "Debian GNU/Linux 11.5.0 \"Bullseye\" - Official amd64 NETINST" },
    { "install.amd/vmlinuz", "kernel" },
    { "install.amd/initrd.gz", "initrd" },
    { "isolinux/isolinux.bin", "boot loader" },
  };
  g_autofree char *root = g_build_filename (work_dir, "debian", NULL);
  g_autofree char *output = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (root, files[i][0], NULL);
      g_autofree char *dir = g_path_get_dirname (path);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
      g_assert_true (g_file_set_contents (path, files[i][1], -1, NULL));
    }
  iso_path = g_build_filename (work_dir, "debian-11.5.0-amd64-netinst.iso", NULL);
  {
    const char *argv[] = { "xorriso",
                           "-as",
                           "mkisofs",
                           "-quiet",
                           "-r",
                           "-V",
                           "Debian 11.5.0 amd64 n",
                           "-b",
                           "isolinux/isolinux.bin",
                           "-no-emul-boot",
                           "-o",
                           iso_path,
                           root,
                           NULL };
    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, &output,
                  &status, &error);
  }
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("xorriso failed: %s", output);
}

static void
remove_all (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_all (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

int
main (int argc, char *argv[])
{
  g_autoptr (HangarApplication) app = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *xorriso = g_find_program_in_path ("xorriso");
  char *app_argv[4];
  int status;

  g_assert_cmpint (argc, ==, 3);
  if (xorriso == NULL)
    {
      g_printerr ("xorriso is not installed: install the Debian package 'xorriso'\n");
      return 1;
    }
  screenshot_dir = argv[1];
  g_mkdir_with_parents (screenshot_dir, 0755);
  uri = g_strconcat ("test://", argv[2], NULL);
  g_setenv ("LANGUAGE", "C", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  work_dir = g_dir_make_tmp ("hangar-wizard-XXXXXX", NULL);
  build_iso ();

  app = hangar_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), NULL);
  app_argv[0] = argv[0];
  app_argv[1] = (char *) "--connect";
  app_argv[2] = uri;
  app_argv[3] = NULL;
  status = g_application_run (G_APPLICATION (app), 3, app_argv);

  remove_all (work_dir);
  return status;
}
