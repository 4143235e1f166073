/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A lab through the real window (test-lab-page SCREENSHOT_DIR FBPATTERN HV_NET):
 * the New Lab dialog makes a 3-member lab from a template that boots the
 * fbpattern guest; Start All runs them; the lab page's tiles show each
 * member's screen (fbpattern.h's picture, checked pixel by pixel), even when
 * a member's page was opened while they started; a tile leads to its
 * member's Console tab; importing the lab's own file asks for another
 * name; Force Off All and Delete Lab… end it.
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <hv/hv.h>

#include "../guests/fbpattern.h"
#include "gui-test-util.h"
#include "hangar-application.h"
#include "hangar-embedded-connection.h"
#include "hangar-host.h"
#include "hangar-lab-member-tile.h"
#include "hangar-lab-page.h"
#include "hangar-machine-page.h"
#include "hangar-new-lab-dialog.h"
#include "hangar-window.h"

#define TEMPLATE  "lab-gui-template"
#define LAB       "gui-lab"
#define N_MEMBERS 3
/* Three tiny guests drawing at once where KVM emulates every instruction. */
#define SCREEN_TIMEOUT_S 120

static char *kernel;

/* ---- Waiting ---- */

static void
wait_longer (Condition condition, gpointer data, const char *what, guint seconds)
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

static GtkWidget *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWidget) window = g_list_model_get_item (toplevels, i);

      /* A dialog answered earlier may linger, hidden, until the loop runs. */
      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (window))
        return window;
    }
  return NULL;
}

static gboolean
dialog_gone (gpointer unused)
{
  return find_toplevel (HANGAR_TYPE_NEW_LAB_DIALOG) == NULL;
}

static gboolean
message_dialog_open (gpointer unused)
{
  return find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL;
}

static gboolean
has_action (GtkWidget *widget, const char *action)
{
  return g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0;
}

/* Presses the button bound to ACTION in ROOT, as a click does; it must be usable. */
static void
press (GtkWidget *root, const char *action)
{
  GtkWidget *button = find_widget (root, GTK_TYPE_BUTTON, has_action, action);

  if (button == NULL)
    g_error ("no button for %s", action);
  if (!gtk_widget_is_sensitive (button))
    g_error ("the button for %s cannot be pressed", action);
  gtk_widget_activate (button);
}

/* ---- The lab page ---- */

static HangarLabPage *
shown_lab_page (GtkWidget *window)
{
  GtkWidget *page = find_widget (window, HANGAR_TYPE_LAB_PAGE, any, NULL);

  return page != NULL && gtk_widget_get_mapped (page) ? HANGAR_LAB_PAGE (page) : NULL;
}

/* The page's two revealers: its busy bar holds a progress bar, the warning an icon. */
static gboolean
revealer_with_progress (GtkWidget *revealer, const char *unused)
{
  return find_widget (revealer, GTK_TYPE_PROGRESS_BAR, any, NULL) != NULL;
}

static gboolean
revealer_with_warning (GtkWidget *revealer, const char *unused)
{
  return find_widget (revealer, GTK_TYPE_IMAGE, any, NULL) != NULL;
}

static gboolean
lab_page_shown (gpointer window)
{
  HangarLabPage *page = shown_lab_page (window);

  return page != NULL && hangar_lab_page_get_lab (page) != NULL &&
         g_str_equal (hangar_lab_get_name (hangar_lab_page_get_lab (page)), LAB);
}

static GPtrArray *
tiles_of (HangarLabPage *page)
{
  GtkFlowBox *box = GTK_FLOW_BOX (find_widget (GTK_WIDGET (page), GTK_TYPE_FLOW_BOX, any, NULL));
  GPtrArray *tiles = g_ptr_array_new ();
  GtkFlowBoxChild *child;

  for (int i = 0; (child = gtk_flow_box_get_child_at_index (box, i)) != NULL; i++)
    g_ptr_array_add (tiles, child);
  return tiles;
}

static gboolean
all_members_in (HangarLab *lab, HangarMachineState state)
{
  GListModel *members = hangar_lab_get_members (lab);

  for (guint i = 0; i < g_list_model_get_n_items (members); i++)
    {
      g_autoptr (HangarMachine) member = g_list_model_get_item (members, i);

      if (hangar_machine_get_state (member) != state)
        return FALSE;
    }
  return TRUE;
}

static gboolean
all_running (gpointer lab)
{
  return all_members_in (lab, HANGAR_MACHINE_STATE_RUNNING);
}

static gboolean
all_stopped (gpointer lab)
{
  return all_members_in (lab, HANGAR_MACHINE_STATE_STOPPED);
}

static gboolean
colour_near (guint32 a, guint32 b)
{
  for (int shift = 0; shift < 24; shift += 8)
    if (ABS ((int) ((a >> shift) & 0xff) - (int) ((b >> shift) & 0xff)) > 24)
      return FALSE;
  return TRUE;
}

static guint32
pixel_at (const guint8 *pixels, int width, int x, int y)
{
  const guint8 *p = pixels + (gsize) y * width * 4 + (gsize) x * 4;

  return (guint32) p[2] << 16 | (guint32) p[1] << 8 | p[0];
}

/* Scaled down, the checker's 16-pixel cells stay light and dark greys
 * side by side: an 8 x 8 block at X, Y holds both, and nothing else. */
static gboolean
shows_checker (const guint8 *pixels, int width, int x, int y)
{
  gboolean light = FALSE, dark = FALSE;

  for (int dy = 0; dy < 8; dy++)
    for (int dx = 0; dx < 8; dx++)
      {
        guint32 shown = pixel_at (pixels, width, x + dx, y + dy);
        int red = shown >> 16, green = (shown >> 8) & 0xff, blue = shown & 0xff;

        if (ABS (red - green) > 24 || ABS (green - blue) > 24)
          return FALSE;
        light |= red > 0xc0;
        dark |= red < 0x60;
      }
  return light && dark;
}

/* How many of the pattern's sample points TEXTURE, the screen scaled down,
 * gets wrong: the middle of each of the eight bars, and blocks of the
 * checker below (*SAMPLES says how many). */
static guint
count_pattern_misses (GdkTexture *texture, guint *samples)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autofree guint8 *pixels = g_malloc ((gsize) width * height * 4);
  guint misses = 0;

  gdk_texture_download (texture, pixels, width * 4);
  *samples = 0;
  for (int bar = 0; bar < 8; bar++)
    {
      int x = width * bar / 8 + width / 16;

      (*samples)++;
      if (!colour_near (pixel_at (pixels, width, x, height / 4),
                        fbpattern_pixel (x, 0, width, height)))
        misses++;
    }
  /* The guest draws from the top down: the last rows too, once it is done. */
  for (int x = width / 8; x < width; x += width / 4)
    for (int y = height * 5 / 8; y < height; y += height / 4 - 10)
      {
        (*samples)++;
        if (!shows_checker (pixels, width, x, MIN (y, height - 9)))
          misses++;
      }
  return misses;
}

static gboolean
tile_shows_pattern (HangarLabMemberTile *tile)
{
  GdkTexture *thumbnail = hangar_lab_member_tile_get_thumbnail (tile);
  GtkStack *stack = GTK_STACK (find_widget (GTK_WIDGET (tile), GTK_TYPE_STACK, any, NULL));
  guint samples;

  return thumbnail != NULL && g_str_equal (gtk_stack_get_visible_child_name (stack), "screen") &&
         gdk_texture_get_width (thumbnail) <= 240 &&
         count_pattern_misses (thumbnail, &samples) == 0;
}

static gboolean
every_tile_shows_pattern (gpointer page)
{
  g_autoptr (GPtrArray) tiles = tiles_of (page);

  for (guint i = 0; i < tiles->len; i++)
    if (!tile_shows_pattern (g_ptr_array_index (tiles, i)))
      return FALSE;
  return tiles->len == N_MEMBERS;
}

static void
report_tiles (HangarLabPage *page)
{
  g_autoptr (GPtrArray) tiles = tiles_of (page);

  for (guint i = 0; i < tiles->len; i++)
    {
      HangarLabMemberTile *tile = g_ptr_array_index (tiles, i);
      GdkTexture *thumbnail = hangar_lab_member_tile_get_thumbnail (tile);
      guint samples = 0;
      guint misses = thumbnail != NULL ? count_pattern_misses (thumbnail, &samples) : 0;

      if (thumbnail != NULL)
        {
          g_autofree char *file =
              g_strdup_printf ("thumbnail-%s.png",
                               hangar_machine_get_name (hangar_lab_member_tile_get_machine (tile)));
          g_autofree char *path = g_build_filename (screenshot_dir, file, NULL);

          g_assert_true (gdk_texture_save_to_png (thumbnail, path));
        }
      g_print ("# %s: %s, thumbnail %dx%d, %u of %u pattern points wrong\n",
               hangar_machine_get_name (hangar_lab_member_tile_get_machine (tile)),
               hangar_machine_state_to_string (
                   hangar_machine_get_state (hangar_lab_member_tile_get_machine (tile))),
               thumbnail != NULL ? gdk_texture_get_width (thumbnail) : 0,
               thumbnail != NULL ? gdk_texture_get_height (thumbnail) : 0, misses, samples);
    }
}

/* ---- The scenario ---- */

static GtkWidget *
dialog_row (GtkWidget *dialog, GType type, const char *title)
{
  GtkWidget *row = find_widget (dialog, type, row_titled, title);

  if (row == NULL)
    g_error ("no row “%s” in the New Lab dialog", title);
  return row;
}

static void
choose_template (GtkWidget *dialog)
{
  AdwComboRow *row = ADW_COMBO_ROW (dialog_row (dialog, ADW_TYPE_COMBO_ROW, "Template"));
  GListModel *model = adw_combo_row_get_model (row);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (GtkStringObject) item = g_list_model_get_item (model, i);

      if (g_str_equal (gtk_string_object_get_string (item), TEMPLATE))
        {
          adw_combo_row_set_selected (row, i);
          return;
        }
    }
  g_error ("the template %s is not offered", TEMPLATE);
}

static gboolean
label_has_text (GtkWidget *label, const char *text)
{
  return strstr (gtk_label_get_label (GTK_LABEL (label)), text) != NULL;
}

static gboolean
shows_progress (gpointer stack)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (stack), "progress") == 0;
}

static void
keep_label (GtkLabel *label, GParamSpec *pspec, GPtrArray *said)
{
  g_ptr_array_add (said, g_strdup (gtk_label_get_label (label)));
}

/* Fills the dialog as a teacher does, and creates the lab. */
static void
create_lab_through_dialog (GtkWidget *window)
{
  GtkWidget *dialog;
  GtkWidget *prefix;
  GtkWidget *progress_label;
  GtkStack *stack;
  g_autoptr (GPtrArray) said = g_ptr_array_new_with_free_func (g_free);

  g_assert_true (gtk_widget_activate_action (window, "win.new-lab", NULL));
  dialog = find_toplevel (HANGAR_TYPE_NEW_LAB_DIALOG);
  g_assert_nonnull (dialog);
  wait_for (has_drawn, dialog, "the New Lab dialog");

  gtk_editable_set_text (GTK_EDITABLE (dialog_row (dialog, ADW_TYPE_ENTRY_ROW, "Lab Name")), LAB);
  prefix = dialog_row (dialog, ADW_TYPE_ENTRY_ROW, "Member Names Begin With");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (prefix)), ==, LAB "-pc");
  choose_template (dialog);
  gtk_spin_button_set_value (
      GTK_SPIN_BUTTON (find_widget (dialog, GTK_TYPE_SPIN_BUTTON, any, NULL)), N_MEMBERS);
  adw_action_row_activate (ADW_ACTION_ROW (dialog_row (dialog, ADW_TYPE_ACTION_ROW, "_Isolated")));
  /* The summary counts the members' memory: 3 x 64 MiB. */
  g_assert_nonnull (find_widget (dialog, GTK_TYPE_LABEL, label_has_text, "3 members need 192"));
  save_screenshot (dialog, "new-lab-dialog.png");

  stack = GTK_STACK (find_widget (dialog, GTK_TYPE_STACK, any, NULL));
  progress_label =
      find_widget (gtk_stack_get_child_by_name (stack, "progress"), GTK_TYPE_LABEL, any, NULL);
  g_signal_connect (progress_label, "notify::label", G_CALLBACK (keep_label), said);
  press (dialog, "new-lab.create");
  /* A button's activation ends its press a moment later, with ::clicked. */
  wait_for (shows_progress, stack, "the dialog's progress page");
  wait_longer (dialog_gone, NULL, "the lab to be made", 60);
  /* The dialog said which member it was making. */
  for (guint i = 0; i < said->len; i++)
    g_print ("# progress: %s\n", (char *) g_ptr_array_index (said, i));
  g_assert_true (
      g_ptr_array_find_with_equal_func (said, "Making " LAB "-pc01…", g_str_equal, NULL));
}

static HangarMachinePage *
shown_machine_page (GtkWidget *window)
{
  GtkWidget *page = find_widget (window, HANGAR_TYPE_MACHINE_PAGE, any, NULL);

  return page != NULL && gtk_widget_get_mapped (page) ? HANGAR_MACHINE_PAGE (page) : NULL;
}

/* A tile leads to its member's page, on the Console tab. */
static void
open_member (GtkWidget *window, HangarLabPage *page, guint index)
{
  g_autoptr (GPtrArray) tiles = tiles_of (page);
  HangarLabMemberTile *tile = g_ptr_array_index (tiles, index);
  HangarMachine *member = hangar_lab_member_tile_get_machine (tile);
  HangarMachinePage *machine_page;
  AdwViewStack *tabs;

  gtk_widget_activate (GTK_WIDGET (tile));
  machine_page = shown_machine_page (window);
  g_assert_nonnull (machine_page);
  g_assert_true (hangar_machine_page_get_machine (machine_page) == member);
  tabs = ADW_VIEW_STACK (find_widget (GTK_WIDGET (machine_page), ADW_TYPE_VIEW_STACK, any, NULL));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (tabs), ==, "console");
}

static gboolean
is_lab_row (GtkWidget *row, const char *name)
{
  HangarLab *lab = g_object_get_data (G_OBJECT (row), "lab");

  return lab != NULL && g_str_equal (hangar_lab_get_name (lab), name);
}

static gboolean
button_labelled (GtkWidget *button, const char *label)
{
  return g_strcmp0 (gtk_button_get_label (GTK_BUTTON (button)), label) == 0;
}

static gboolean
window_gone (gpointer window)
{
  return !gtk_widget_get_visible (window);
}

/* Answers a confirmation through its button, which also closes it. */
static void
click_response (GtkWidget *dialog, const char *label)
{
  GtkWidget *button = find_widget (dialog, GTK_TYPE_BUTTON, button_labelled, label);

  if (button == NULL)
    g_error ("no “%s” button in the confirmation", label);
  g_object_ref (dialog);
  gtk_widget_activate (button);
  wait_for (window_gone, dialog, "the confirmation to close");
  g_object_unref (dialog);
}

typedef struct
{
  HangarConnection *connection;
  const char *name;
} LabWait;

static gboolean
lab_gone (gpointer data)
{
  LabWait *wait = data;

  return hangar_embedded_connection_find_lab (HANGAR_EMBEDDED_CONNECTION (wait->connection),
                                              wait->name) == NULL;
}

static gboolean
empty_page_shown (gpointer window)
{
  GtkWidget *stack = find_widget (window, GTK_TYPE_STACK, any, NULL);

  return stack != NULL &&
         g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (stack)), "empty") == 0;
}

static void
delete_lab_with_disks (GtkWidget *window, HangarLabPage *page, HangarConnection *connection,
                       const char *name)
{
  LabWait gone = { connection, name };
  GtkWidget *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "lab.delete", NULL));
  wait_for (message_dialog_open, NULL, "the Delete Lab confirmation");
  dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  gtk_check_button_set_active (
      GTK_CHECK_BUTTON (find_widget (dialog, GTK_TYPE_CHECK_BUTTON, any, NULL)), TRUE);
  save_screenshot (dialog, "delete-lab.png");
  click_response (dialog, "_Delete");
  wait_for (lab_gone, &gone, "the lab to be deleted");
  wait_for (empty_page_shown, window, "the window to leave the deleted lab's page");
  for (guint i = 1; i <= N_MEMBERS; i++)
    {
      g_autofree char *member = g_strdup_printf ("%s-pc%02u", name, i);
      g_assert_null (hangar_connection_find_machine (connection, member));
    }
}

static void
spin (guint milliseconds)
{
  gint64 end = g_get_monotonic_time () + milliseconds * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

/* The screen pictures hv-vmm writes for the tiles, and when it last did. */
static char *
thumbnail_files (void)
{
  g_autofree char *directory =
      g_build_filename (g_get_user_runtime_dir (), "hangar", "thumbnails", NULL);
  g_autoptr (GDir) dir = g_dir_open (directory, 0, NULL);
  g_autoptr (GPtrArray) entries = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (directory, name, NULL);
      GStatBuf status;

      if (g_stat (path, &status) == 0)
        g_ptr_array_add (entries,
                         g_strdup_printf ("%s@%ld.%09ld", name, (long) status.st_mtim.tv_sec,
                                          (long) status.st_mtim.tv_nsec));
    }
  g_ptr_array_sort (entries, compare_strings);
  g_ptr_array_add (entries, NULL);
  return g_strjoinv (" ", (char **) entries->pdata);
}

static gboolean
revealed (gpointer revealer)
{
  return gtk_revealer_get_child_revealed (revealer);
}

/* Three one-processor members are more than a two-processor host has: the
 * page says so, in words. Fewer must not alarm anyone. */
static void
check_contention_warning (HangarLabPage *page)
{
  GtkWidget *revealer =
      find_widget (GTK_WIDGET (page), GTK_TYPE_REVEALER, revealer_with_warning, NULL);
  guint host_cpus = hangar_host_count_cpus ("/proc/cpuinfo");

  g_assert_nonnull (revealer);
  if (N_MEMBERS > host_cpus)
    {
      wait_for (revealed, revealer, "the warning about too few processors");
      g_assert_nonnull (
          find_widget (revealer, GTK_TYPE_LABEL, label_has_text, "processors between them"));
    }
  else
    {
      spin (1000);
      g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));
    }
  g_print ("# %u members of 1 processor on a host of %u: warning %s\n", N_MEMBERS, host_cpus,
           gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)) ? "shown" : "hidden");
}

static char *
member_disk (HangarLab *lab, guint index)
{
  g_autoptr (HvStore) store = hv_store_new ();
  g_autofree char *name = hv_lab_config_member_name (hangar_lab_get_config (lab), index);
  g_autoptr (HvMachineConfig) config = hv_store_load_machine (store, name, NULL);

  g_assert_nonnull (config);
  return g_strdup (((HvDiskConfig *) g_ptr_array_index (config->disks, 0))->path);
}

static gboolean
lab_idle (gpointer page)
{
  GtkRevealer *busy = GTK_REVEALER (
      find_widget (GTK_WIDGET (page), GTK_TYPE_REVEALER, revealer_with_progress, NULL));

  return busy == NULL || !gtk_revealer_get_reveal_child (busy);
}

static gboolean
lab_busy (gpointer page)
{
  return !lab_idle (page);
}

/* Reset to Template…, confirmed: a student's changes to a disk are gone. */
static void
reset_through_dialog (GtkWidget *window, HangarLabPage *page, HangarLab *lab)
{
  g_autofree char *disk = member_disk (lab, 0);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  GtkWidget *dialog;
  gsize length;

  g_assert_true (g_file_set_contents (disk, "student work", -1, &error));
  g_assert_no_error (error);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "lab.reset", NULL));
  wait_for (message_dialog_open, NULL, "the Reset to Template confirmation");
  dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  save_screenshot (dialog, "reset-lab.png");
  click_response (dialog, "_Reset");
  wait_for (lab_idle, page, "the members to be reset");
  g_assert_true (g_file_get_contents (disk, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (length, ==, 1 << 20);
  g_assert_cmpint (contents[0], ==, 0);
}

static gboolean
lab_shown_named (gpointer name)
{
  GtkWidget *window = GTK_WIDGET (
      gtk_application_get_active_window (GTK_APPLICATION (g_application_get_default ())));
  HangarLabPage *page = shown_lab_page (window);

  return page != NULL && hangar_lab_page_get_lab (page) != NULL &&
         g_str_equal (hangar_lab_get_name (hangar_lab_page_get_lab (page)), name);
}

/* The lab's own file imported again: a lab has its name, so the window
 * asks for another, suggests one, and imports under it. */
static void
import_under_new_name (GtkWidget *window, HangarLabPage *page, HangarConnection *connection)
{
  g_autoptr (HvStore) store = hv_store_new ();
  g_autofree char *path = g_build_filename (screenshot_dir, LAB ".conf", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GError) error = NULL;
  HangarLab *copy;
  GtkWidget *dialog;

  g_assert_true (hv_lab_export (store, LAB, path, &error));
  g_assert_no_error (error);
  hangar_window_import_lab (HANGAR_WINDOW (window), file);
  wait_for (message_dialog_open, NULL, "the question for the imported lab's name");
  dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_cmpstr (
      gtk_editable_get_text (GTK_EDITABLE (find_widget (dialog, GTK_TYPE_TEXT, any, NULL))), ==,
      LAB "-2");
  save_screenshot (dialog, "import-lab-name.png");
  click_response (dialog, "_Import");
  wait_longer (lab_shown_named, (gpointer) LAB "-2", "the imported lab's page", 60);
  copy = hangar_embedded_connection_find_lab (HANGAR_EMBEDDED_CONNECTION (connection), LAB "-2");
  g_assert_cmpuint (g_list_model_get_n_items (hangar_lab_get_members (copy)), ==, N_MEMBERS);
  g_assert_nonnull (hangar_connection_find_machine (connection, LAB "-2-pc01"));
  delete_lab_with_disks (window, shown_lab_page (window), connection, LAB "-2");
  g_assert_true (hangar_window_show_lab (
      HANGAR_WINDOW (window),
      hangar_embedded_connection_find_lab (HANGAR_EMBEDDED_CONNECTION (connection), LAB)));
  g_assert_true (shown_lab_page (window) == page);
}

static void
run_scenario (GtkApplication *app)
{
  HangarConnectionList *list = hangar_application_get_connections (HANGAR_APPLICATION (app));
  g_autoptr (HangarConnection) connection =
      g_list_model_get_item (hangar_connection_list_get_model (list), 0);
  GtkWidget *window = GTK_WIDGET (gtk_application_get_active_window (app));
  g_autoptr (GPtrArray) tiles = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  HangarLabPage *page;
  HangarLab *lab;

  g_assert_true (HANGAR_IS_EMBEDDED_CONNECTION (connection));
  wait_for (is_connected, connection, "This Computer");
  wait_for (has_drawn, window, "the window");
  create_lab_through_dialog (window);

  wait_for (lab_page_shown, window, "the new lab's page");
  page = shown_lab_page (window);
  lab = hangar_lab_page_get_lab (page);
  g_assert_cmpuint (hangar_lab_get_count (lab), ==, N_MEMBERS);
  g_assert_cmpint (hangar_lab_get_network_mode (lab), ==, HV_NETWORK_MODE_ISOLATED);
  tiles = tiles_of (page);
  g_assert_cmpuint (tiles->len, ==, N_MEMBERS);
  for (guint i = 0; i < tiles->len; i++)
    {
      HangarLabMemberTile *tile = g_ptr_array_index (tiles, i);
      g_autofree char *name = g_strdup_printf (LAB "-pc%02u", i + 1);

      g_assert_cmpstr (hangar_machine_get_name (hangar_lab_member_tile_get_machine (tile)), ==,
                       name);
      g_assert_nonnull (find_widget (GTK_WIDGET (tile), GTK_TYPE_LABEL, label_has_text, name));
      g_assert_nonnull (find_widget (GTK_WIDGET (tile), GTK_TYPE_LABEL, label_has_text, "Stopped"));
      g_assert_null (hangar_lab_member_tile_get_thumbnail (tile));
    }
  save_screenshot (window, "lab-stopped.png");

  /* Start All goes on while the teacher looks at a member's screen. */
  press (window, "lab.start-all");
  /* A pressed button acts once its pressed look ends, if still shown. */
  wait_for (lab_busy, page, "Start All to begin");
  open_member (window, page, 0);
  wait_longer (all_running, lab, "every member to run with another page shown", 60);
  gtk_widget_activate (find_widget (window, GTK_TYPE_LIST_BOX_ROW, is_lab_row, LAB));
  wait_for (lab_page_shown, window, "the lab's page after Start All");
  wait_for (lab_idle, page, "the page to show Start All is done");
  {
    gint64 deadline = g_get_monotonic_time () + SCREEN_TIMEOUT_S * G_USEC_PER_SEC;

    while (!every_tile_shows_pattern (page))
      {
        if (g_get_monotonic_time () > deadline)
          {
            report_tiles (page);
            save_screenshot (window, "lab-screens-wrong.png");
            g_error ("the tiles do not all show their member's screen");
          }
        g_main_context_iteration (NULL, FALSE);
        g_usleep (2000);
      }
  }
  report_tiles (page);
  save_screenshot (window, "lab-running.png");
  /* An isolated network gives no addresses: the tiles must not wait for one. */
  g_clear_pointer (&tiles, g_ptr_array_unref);
  tiles = tiles_of (page);
  for (guint i = 0; i < tiles->len; i++)
    g_assert_nonnull (find_widget (g_ptr_array_index (tiles, i), GTK_TYPE_LABEL, label_has_text,
                                   "Isolated network: no address given"));

  check_contention_warning (page);
  /* Pictures keep coming while the page is shown... */
  before = thumbnail_files ();
  spin (1500);
  after = thumbnail_files ();
  g_assert_cmpstr (before, !=, after);

  open_member (window, page, 1);
  save_screenshot (window, "lab-member-console.png");
  /* ...and stop once it is not (a request in flight may still land). */
  spin (600);
  g_free (before);
  before = thumbnail_files ();
  spin (1500);
  g_free (after);
  after = thumbnail_files ();
  g_assert_cmpstr (before, ==, after);

  /* Back to the lab through its row in the sidebar, as a click does. */
  gtk_widget_activate (find_widget (window, GTK_TYPE_LIST_BOX_ROW, is_lab_row, LAB));
  wait_for (lab_page_shown, window, "the lab's page again");
  press (window, "lab.force-off-all");
  wait_longer (all_stopped, lab, "every member to stop", 60);
  g_clear_pointer (&tiles, g_ptr_array_unref);
  tiles = tiles_of (page);
  g_assert_cmpuint (tiles->len, ==, N_MEMBERS);
  for (guint i = 0; i < tiles->len; i++)
    {
      GtkWidget *tile = g_ptr_array_index (tiles, i);

      g_assert_null (hangar_lab_member_tile_get_thumbnail (HANGAR_LAB_MEMBER_TILE (tile)));
      g_assert_nonnull (find_widget (tile, GTK_TYPE_LABEL, label_has_text, "Stopped"));
    }

  reset_through_dialog (window, page, lab);
  import_under_new_name (window, page, connection);

  delete_lab_with_disks (window, page, connection, LAB);
  g_assert_cmpuint (g_list_model_get_n_items (hangar_embedded_connection_get_labs (
                        HANGAR_EMBEDDED_CONNECTION (connection))),
                    ==, 0);
  g_application_quit (G_APPLICATION (app));
}

static void
on_activate (GtkApplication *app)
{
  g_idle_add_once ((GSourceOnceFunc) run_scenario, app);
}

/* What a failed run left (guests and networks outlive the app) goes first. */
static void
remove_leftovers (HvStore *store)
{
  g_autoptr (HvNetworkInfo) network = NULL;

  hv_lab_delete (store, LAB "-2", TRUE, NULL);
  hv_lab_force_off (store, LAB, NULL);
  hv_lab_delete (store, LAB, TRUE, NULL);
  network = hv_network_lookup (hv_store_get_runtime (store), LAB, NULL);
  if (network != NULL)
    hv_network_stop (hv_store_get_runtime (store), network, 2000, NULL);
  hv_store_delete_machine (store, TEMPLATE, TRUE, NULL);
}

/* The template: the fbpattern guest on a SPICE screen, with a disk to copy. */
static void
define_template (HvStore *store)
{
  g_autoptr (HvMachineConfig) config = hv_machine_config_new (TEMPLATE);
  g_autoptr (GError) error = NULL;

  config->cpus = 1;
  config->memory_mib = 64;
  config->kernel = g_strdup (kernel);
  config->display = HV_DISPLAY_SPICE;
  hv_machine_config_add_disk (config, NULL, 1 << 20, FALSE);
  g_assert_true (hv_store_create_machine (store, config, NULL, &error));
  g_assert_no_error (error);
}

int
main (int argc, char *argv[])
{
  g_autoptr (HangarApplication) app = NULL;
  g_autoptr (HvStore) store = NULL;
  char *app_argv[2];
  int status;

  if (argc != 4)
    g_error ("Usage: %s SCREENSHOT_DIR FBPATTERN_BZIMAGE HV_NET (meson test gives them)", argv[0]);
  screenshot_dir = argv[1];
  kernel = g_canonicalize_filename (argv[2], NULL);
  g_setenv ("HV_NET_PATH", argv[3], TRUE);
  g_mkdir_with_parents (screenshot_dir, 0755);
  g_setenv ("LANGUAGE", "C", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  store = hv_store_new ();
  remove_leftovers (store);
  define_template (store);

  app = hangar_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), NULL);
  app_argv[0] = argv[0];
  app_argv[1] = NULL;
  status = g_application_run (G_APPLICATION (app), 1, app_argv);
  remove_leftovers (store);
  g_free (kernel);
  return status;
}
