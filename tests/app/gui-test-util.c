/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the app's GUI tests share: waiting, finding widgets, screenshots. */
#include "config.h"

#include "gui-test-util.h"
#include "hangar-new-machine-wizard.h"

const char *screenshot_dir;

void
wait_for (Condition condition, gpointer data, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

gboolean
is_connected (gpointer data)
{
  return hangar_connection_get_state (data) == HANGAR_CONNECTION_STATE_CONNECTED;
}

gboolean
has_libvirt_connection (gpointer data)
{
  return g_list_model_get_n_items (data) > 1;
}

gboolean
has_drawn (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0;
}

GtkWidget *
find_widget (GtkWidget *root, GType type, gboolean (*match) (GtkWidget *, const char *),
             const char *text)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) && gtk_widget_get_visible (root) &&
      match (root, text))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, match, text);
      if (found != NULL)
        return found;
    }
  return NULL;
}

gboolean
any (GtkWidget *widget, const char *unused)
{
  return TRUE;
}

gboolean
row_titled (GtkWidget *row, const char *title)
{
  return g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), title) == 0;
}

/* The visible page of the wizard's stack: searches stay on what is shown. */
GtkWidget *
shown_page (GtkWidget *wizard)
{
  GtkStack *stack = GTK_STACK (find_widget (wizard, GTK_TYPE_STACK, any, NULL));

  return gtk_stack_get_visible_child (stack);
}

GtkWidget *
row (GtkWidget *wizard, GType type, const char *title)
{
  GtkWidget *found = find_widget (shown_page (wizard), type, row_titled, title);

  if (found == NULL)
    g_error ("no row “%s” on the wizard's page %s", title,
             hangar_new_machine_wizard_get_page (HANGAR_NEW_MACHINE_WIZARD (wizard)));
  return found;
}

const char *
subtitle_of (GtkWidget *wizard, const char *title)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (row (wizard, ADW_TYPE_ACTION_ROW, title)));
}

void
set_true (gboolean *flag)
{
  *flag = TRUE;
}

gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

gboolean
settled (gpointer data)
{
  GtkWidget *stack = find_widget (data, GTK_TYPE_STACK, any, NULL);

  return stack == NULL || !gtk_stack_get_transition_running (GTK_STACK (stack));
}

void
save_screenshot (GtkWidget *window, const char *name)
{
  g_autoptr (GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autoptr (GdkPaintable) paintable = NULL;
  g_autofree char *path = g_build_filename (screenshot_dir, name, NULL);
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  graphene_rect_t bounds;
  gboolean painted = FALSE;
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);
  gulong handler;

  /* Let the stack's slide finish and a frame paint what changed. */
  wait_for (settled, window, "the page to slide in");
  for (guint i = 0; i < 3; i++)
    {
      painted = FALSE;
      handler = g_signal_connect_swapped (clock, "after-paint", G_CALLBACK (set_true), &painted);
      gtk_widget_queue_draw (window);
      wait_for (is_true, &painted, "the window to paint");
      g_signal_handler_disconnect (clock, handler);
      g_usleep (100000);
    }
  paintable = gtk_widget_paintable_new (window);
  gdk_paintable_snapshot (paintable, snapshot, gtk_widget_get_width (window),
                          gtk_widget_get_height (window));
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  gsk_render_node_get_bounds (node, &bounds);
  texture = gsk_renderer_render_texture (renderer, node, &bounds);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_print ("# screenshot %s\n", path);
}

gboolean
on_page (gpointer data)
{
  PageWait *wait = data;
  HangarNewMachineWizard *wizard = HANGAR_NEW_MACHINE_WIZARD (wait->wizard);

  return !hangar_new_machine_wizard_is_busy (wizard) &&
         g_str_equal (hangar_new_machine_wizard_get_page (wizard), wait->page);
}

gboolean
next_sensitive (gpointer data)
{
  GtkWidget *wizard = data;

  return gtk_widget_is_sensitive (
      GTK_WIDGET (g_object_get_data (G_OBJECT (wizard), "test-next-button")));
}

gboolean
is_next_button (GtkWidget *button, const char *unused)
{
  return g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), "wizard.next") == 0;
}

GtkWidget *
find_wizard (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (HANGAR_IS_NEW_MACHINE_WIZARD (window))
        return window;
    }
  return NULL;
}

gboolean
wizard_gone (gpointer data)
{
  return find_wizard () == NULL;
}
