/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The new-machine wizard driven through every page with real input: key
 * presses, typing and clicks that xdotool gives the X server, at the places
 * of the real widgets (their bounds in the window plus the window's position
 * on the screen). It creates one machine on the libvirt test host (--connect)
 * and one on This Computer (the embedded back end, booting the ticker guest's
 * kernel), checks each is in its connection's list, and that the embedded
 * one's machine.conf has the processors and memory typed in. A screenshot of
 * each page goes to the directory given first.
 * test-wizard-input SCREENSHOT_DIR LAB_HOST_XML KERNEL
 */
#include "config.h"

#include <adwaita.h>
#include <gdk/x11/gdkx.h>
#include <hv/hv.h>

#include "gui-test-util.h"
#include "hangar-application.h"
#include "hangar-new-machine-wizard.h"
#include "hangar-window.h"

#include "test-loop.h"

static void
spin_ms (guint milliseconds)
{
  gint64 end = g_get_monotonic_time () + milliseconds * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

static char *kernel_path;
static gint64 started;

/* ---- Real input, through xdotool ---- */

static gboolean
has_result (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

/* Runs xdotool with the NULL-terminated ARGUMENTS while the main loop keeps
 * running (the app must answer the X server meanwhile); returns its output. */
static char *
xdotool (const char *first, ...)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) argv = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *joined = NULL;
  char *output = NULL;
  va_list args;

  g_strv_builder_add (builder, "xdotool");
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_strv_builder_add (builder, arg);
  va_end (args);
  argv = g_strv_builder_end (builder);
  joined = g_strjoinv (" ", argv);
  process = g_subprocess_newv ((const char *const *) argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, test_store_result, &result);
  wait_for (has_result, &result, joined);
  g_assert_true (g_subprocess_communicate_utf8_finish (process, result, &output, NULL, &error));
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    g_error ("“%s” failed", joined);
  return output;
}

#define XDOTOOL(...) g_free (xdotool (__VA_ARGS__, NULL))

static char *
window_id (GtkWidget *window)
{
  return g_strdup_printf (
      "%lu", (gulong) gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (window))));
}

/* Where WINDOW's surface is on the screen, as the X server says. */
static void
window_origin (GtkWidget *window, int *x, int *y)
{
  g_autofree char *id = window_id (window);
  g_autofree char *geometry = xdotool ("getwindowgeometry", id, NULL);
  const char *position = strstr (geometry, "Position: ");

  g_assert_nonnull (position);
  g_assert_cmpint (sscanf (position, "Position: %d,%d", x, y), ==, 2);
}

static char *pointer_x;
static char *pointer_y;

/* Lets WINDOW lay out and paint what changed. */
static void
wait_for_frame (GtkWidget *window)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);
  gboolean painted = FALSE;
  gulong handler;

  handler = g_signal_connect_swapped (clock, "after-paint", G_CALLBACK (set_true), &painted);
  gtk_widget_queue_draw (window);
  wait_for (is_true, &painted, "the window to paint");
  g_signal_handler_disconnect (clock, handler);
}

/* A click in the middle of WIDGET, at its place on the screen. The point
 * must be WIDGET's: not scrolled away nor covered. */
static void
click (GtkWidget *widget)
{
  GtkWidget *window = GTK_WIDGET (gtk_widget_get_root (widget));
  graphene_point_t point;
  double surface_x = 0, surface_y = 0;
  int origin_x = 0, origin_y = 0;
  g_autofree char *x = NULL;
  g_autofree char *y = NULL;
  GtkWidget *picked;

  wait_for (settled, window, "the page to slide in");
  wait_for_frame (window);
  g_assert_true (gtk_widget_get_mapped (widget));
  g_assert_true (
      gtk_widget_compute_point (widget, window,
                                &GRAPHENE_POINT_INIT (gtk_widget_get_width (widget) / 2.0,
                                                      gtk_widget_get_height (widget) / 2.0),
                                &point));
  picked = gtk_widget_pick (window, point.x, point.y, GTK_PICK_DEFAULT);
  if (picked == NULL || (picked != widget && !gtk_widget_is_ancestor (picked, widget)))
    g_error ("a click at %.0f, %.0f would reach a %s, not the %s meant", point.x, point.y,
             picked != NULL ? G_OBJECT_TYPE_NAME (picked) : "nothing", G_OBJECT_TYPE_NAME (widget));
  gtk_native_get_surface_transform (GTK_NATIVE (window), &surface_x, &surface_y);
  window_origin (window, &origin_x, &origin_y);
  x = g_strdup_printf ("%d", origin_x + (int) (surface_x + point.x));
  y = g_strdup_printf ("%d", origin_y + (int) (surface_y + point.y));
  /* mousemove --sync waits for the pointer to move: not when it is there. */
  if (g_strcmp0 (x, pointer_x) != 0 || g_strcmp0 (y, pointer_y) != 0)
    XDOTOOL ("mousemove", "--sync", x, y);
  XDOTOOL ("click", "1");
  g_free (pointer_x);
  g_free (pointer_y);
  pointer_x = g_steal_pointer (&x);
  pointer_y = g_steal_pointer (&y);
  spin_ms (100);
}

static gboolean
is_focused_within (gpointer data)
{
  GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (data));

  return focus != NULL && (focus == data || gtk_widget_is_ancestor (focus, data));
}

/* Types TEXT in WIDGET (an entry row or spin button) as a user does: a click
 * in it, Ctrl+A over what it had, then the keys of TEXT. */
static void
type_in (GtkWidget *widget, const char *text)
{
  click (widget);
  wait_for (is_focused_within, widget, "the entry to take the keyboard");
  XDOTOOL ("key", "--clearmodifiers", "ctrl+a");
  XDOTOOL ("type", "--delay", "15", text);
  spin_ms (100);
}

static GtkWidget *
spin_in_row (GtkWidget *wizard, const char *title)
{
  GtkWidget *spin =
      find_widget (row (wizard, ADW_TYPE_ACTION_ROW, title), GTK_TYPE_SPIN_BUTTON, any, NULL);

  g_assert_nonnull (spin);
  return spin;
}

static GtkWidget *
next_button (GtkWidget *wizard)
{
  return g_object_get_data (G_OBJECT (wizard), "test-next-button");
}

/* A click on Next (or Create), then wait for PAGE. */
static void
click_next (GtkWidget *wizard, const char *page)
{
  PageWait wait = { wizard, page };

  wait_for (next_sensitive, wizard, "the Next button to be sensitive");
  click (next_button (wizard));
  if (page != NULL)
    wait_for (on_page, &wait, page);
}

/* ---- The scenario ---- */

typedef struct
{
  const char *name;
  guint connection_index;
  const char *cpus;
  const char *memory;
  const char *shot_prefix;
} Plan;

/* Opens the wizard with Ctrl+N typed in the main window. */
static GtkWidget *
open_wizard (GtkWidget *window)
{
  g_autofree char *id = window_id (window);
  GtkWidget *wizard;
  g_autofree char *wizard_id = NULL;

  if (g_strcmp0 (pointer_x, "5") != 0 || g_strcmp0 (pointer_y, "5") != 0)
    XDOTOOL ("mousemove", "--sync", "5", "5");
  g_free (pointer_x);
  g_free (pointer_y);
  pointer_x = g_strdup ("5");
  pointer_y = g_strdup ("5");
  XDOTOOL ("windowfocus", "--sync", id);
  XDOTOOL ("key", "--clearmodifiers", "ctrl+n");
  wait_for ((Condition) find_wizard, NULL, "the wizard to open on Ctrl+N");
  wizard = find_wizard ();
  wait_for (has_drawn, wizard, "the wizard to be shown");
  /* Tall enough for every row of every page, without scrolling. */
  wizard_id = window_id (wizard);
  XDOTOOL ("windowsize", "--sync", wizard_id, "640", "790");
  XDOTOOL ("windowfocus", "--sync", wizard_id);
  spin_ms (300);
  g_object_set_data (G_OBJECT (wizard), "test-next-button",
                     find_widget (wizard, GTK_TYPE_BUTTON, is_next_button, NULL));
  g_assert_cmpstr (hangar_new_machine_wizard_get_page (HANGAR_NEW_MACHINE_WIZARD (wizard)), ==,
                   "source");
  return wizard;
}

/* The connection row's list, opened with a click and chosen from with keys. */
static void
choose_connection (GtkWidget *wizard, guint index)
{
  AdwComboRow *combo = ADW_COMBO_ROW (row (wizard, ADW_TYPE_COMBO_ROW, "Connection"));

  guint selected = adw_combo_row_get_selected (combo);

  if (selected == index)
    return;
  /* The list opens on the chosen row: arrows move from there. */
  click (GTK_WIDGET (combo));
  spin_ms (400);
  for (; selected < index; selected++)
    XDOTOOL ("key", "Down");
  for (; selected > index; selected--)
    XDOTOOL ("key", "Up");
  XDOTOOL ("key", "Return");
  spin_ms (400);
  g_assert_cmpuint (adw_combo_row_get_selected (combo), ==, index);
}

static void
shot (GtkWidget *wizard, const Plan *plan, const char *page)
{
  g_autofree char *name = g_strdup_printf ("%s-%s.png", plan->shot_prefix, page);

  save_screenshot (wizard, name);
  g_print ("# at %.1f s\n", (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC);
}

static void
go_through_wizard (GtkWidget *window, const Plan *plan)
{
  GtkWidget *wizard = open_wizard (window);
  GtkWidget *kernel_row;
  g_autofree char *summary_cpus = NULL;

  /* Source: the connection, and a Linux kernel to boot. */
  choose_connection (wizard, plan->connection_index);
  click (row (wizard, ADW_TYPE_ACTION_ROW, "Linux kernel"));
  kernel_row = row (wizard, ADW_TYPE_ENTRY_ROW, "Kernel");
  wait_for (has_drawn, kernel_row, "the kernel's entry");
  g_assert_false (next_sensitive (wizard));
  type_in (kernel_row, kernel_path);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (kernel_row)), ==, kernel_path);
  shot (wizard, plan, "1-source");
  click_next (wizard, "os");

  /* Operating system: nothing to detect in a bare kernel; the list searches. */
  type_in (find_widget (shown_page (wizard), GTK_TYPE_SEARCH_ENTRY, any, NULL), "Debian");
  shot (wizard, plan, "2-os");
  click_next (wizard, "resources");

  /* Processors and memory, typed in. */
  type_in (spin_in_row (wizard, "_Processors"), plan->cpus);
  type_in (spin_in_row (wizard, "_Memory (MiB)"), plan->memory);
  XDOTOOL ("key", "Tab");
  spin_ms (200);
  g_assert_cmpint (
      gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (spin_in_row (wizard, "_Processors"))), ==,
      atoi (plan->cpus));
  g_assert_cmpint (
      gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (spin_in_row (wizard, "_Memory (MiB)"))),
      ==, atoi (plan->memory));
  shot (wizard, plan, "3-resources");
  click_next (wizard, "disk");

  /* Disk: none (a kernel needs none). */
  click (row (wizard, ADW_TYPE_ACTION_ROW, "No disk"));
  shot (wizard, plan, "4-disk");
  click_next (wizard, "network");

  /* Network: none. */
  click (row (wizard, ADW_TYPE_ACTION_ROW, "No network"));
  shot (wizard, plan, "5-network");
  click_next (wizard, "summary");

  /* Summary: the name typed in; customize first, so it is not started. */
  type_in (row (wizard, ADW_TYPE_ENTRY_ROW, "Name"), plan->name);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row (wizard, ADW_TYPE_ENTRY_ROW, "Name"))),
                   ==, plan->name);
  click (find_widget (shown_page (wizard), GTK_TYPE_SWITCH, any, NULL));
  g_assert_true (gtk_switch_get_active (
      GTK_SWITCH (find_widget (shown_page (wizard), GTK_TYPE_SWITCH, any, NULL))));
  summary_cpus = g_strdup (subtitle_of (wizard, "Processors"));
  g_assert_nonnull (strstr (summary_cpus, plan->cpus));
  g_assert_nonnull (strstr (subtitle_of (wizard, "Installs from"), kernel_path));
  shot (wizard, plan, "6-summary");

  /* Create. */
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (next_button (wizard))), ==, "C_reate");
  click_next (wizard, NULL);
  wait_for (wizard_gone, NULL, "the wizard to close after Create");
}

typedef struct
{
  HangarConnection *connection;
  const char *name;
} MachineWait;

static gboolean
has_machine (gpointer data)
{
  MachineWait *wait = data;

  return hangar_connection_find_machine (wait->connection, wait->name) != NULL;
}

static HangarMachine *
expect_machine (HangarConnection *connection, const Plan *plan)
{
  MachineWait wait = { connection, plan->name };
  HangarMachine *machine;
  const HangarMachineSpec *spec;
  GListModel *machines = hangar_connection_get_machines (connection);
  gboolean listed = FALSE;

  wait_for (has_machine, &wait, "the new machine in its connection");
  machine = hangar_connection_find_machine (connection, plan->name);
  for (guint i = 0; i < g_list_model_get_n_items (machines); i++)
    {
      g_autoptr (HangarMachine) item = g_list_model_get_item (machines, i);

      listed |= item == machine;
    }
  g_assert_true (listed);
  spec = hangar_machine_get_spec (machine);
  g_assert_cmpuint (spec->cpus, ==, atoi (plan->cpus));
  g_assert_cmpuint (spec->memory_mib, ==, atoi (plan->memory));
  g_assert_cmpstr (spec->kernel, ==, kernel_path);
  g_assert_cmpint (hangar_machine_get_state (machine), ==, HANGAR_MACHINE_STATE_STOPPED);
  return machine;
}

/* What hv-vmm will read: machine.conf in This Computer's store. */
static void
check_machine_conf (const Plan *plan)
{
  g_autoptr (HvStore) store = hv_store_new ();
  g_autofree char *dir = hv_store_get_machine_directory (store, plan->name);
  g_autofree char *path = g_build_filename (dir, "machine.conf", NULL);
  g_autoptr (GKeyFile) conf = g_key_file_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *memory = NULL;
  g_autofree char *kernel = NULL;
  g_autofree char *expected_memory = g_strconcat (plan->memory, "M", NULL);

  g_print ("# %s\n", path);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_key_file_load_from_file (conf, path, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_key_file_get_integer (conf, "machine", "cpus", NULL), ==, atoi (plan->cpus));
  memory = g_key_file_get_string (conf, "machine", "memory", NULL);
  g_assert_true (g_strcmp0 (memory, plan->memory) == 0 || g_strcmp0 (memory, expected_memory) == 0);
  kernel = g_key_file_get_string (conf, "boot", "kernel", NULL);
  g_assert_cmpstr (kernel, ==, kernel_path);
}

static void
run_scenario (GtkApplication *app)
{
  static const Plan libvirt_plan = { "kernel-lab", 0, "2", "256", "libvirt" };
  static const Plan embedded_plan = { "kernel-here", 0, "2", "96", "embedded" };
  HangarConnectionList *list = hangar_application_get_connections (HANGAR_APPLICATION (app));
  GListModel *connections = hangar_connection_list_get_model (list);
  guint n;
  g_autoptr (HangarConnection) here = NULL;
  g_autoptr (HangarConnection) lab = NULL;
  GtkWidget *window = GTK_WIDGET (gtk_application_get_active_window (app));
  Plan plan;

  started = g_get_monotonic_time ();
  wait_for (has_drawn, window, "the window to be shown");
  wait_for (has_libvirt_connection, connections, "the --connect connection to be added");
  /* This Computer comes first, the --connect host last. */
  n = g_list_model_get_n_items (connections);
  here = g_list_model_get_item (connections, 0);
  lab = g_list_model_get_item (connections, n - 1);
  wait_for (is_connected, here, "This Computer");
  wait_for (is_connected, lab, "the test connection");

  plan = libvirt_plan;
  plan.connection_index = n - 1;
  go_through_wizard (window, &plan);
  expect_machine (lab, &plan);
  g_assert_null (hangar_connection_find_machine (here, plan.name));
  save_screenshot (window, "libvirt-7-machine-page.png");

  plan = embedded_plan;
  go_through_wizard (window, &plan);
  expect_machine (here, &plan);
  g_assert_null (hangar_connection_find_machine (lab, plan.name));
  check_machine_conf (&plan);
  save_screenshot (window, "embedded-7-machine-page.png");

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
  g_autoptr (HvStore) store = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *xdotool_path = g_find_program_in_path ("xdotool");
  char *app_argv[4];
  int status;

  g_assert_cmpint (argc, ==, 4);
  if (xdotool_path == NULL)
    {
      g_printerr ("xdotool is not installed: install the Debian package 'xdotool'\n");
      return 1;
    }
  screenshot_dir = argv[1];
  g_mkdir_with_parents (screenshot_dir, 0755);
  uri = g_strconcat ("test://", argv[2], NULL);
  kernel_path = g_canonicalize_filename (argv[3], NULL);
  g_setenv ("LANGUAGE", "C", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  /* A machine of an earlier run would make the name taken. */
  store = hv_store_new ();
  hv_store_delete_machine (store, "kernel-here", TRUE, NULL);

  app = hangar_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), NULL);
  app_argv[0] = argv[0];
  app_argv[1] = (char *) "--connect";
  app_argv[2] = uri;
  app_argv[3] = NULL;
  status = g_application_run (G_APPLICATION (app), 3, app_argv);
  if (status == 0)
    hv_store_delete_machine (store, "kernel-here", TRUE, NULL);
  g_free (kernel_path);
  g_free (pointer_x);
  g_free (pointer_y);
  return status;
}
