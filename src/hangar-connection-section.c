/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "hangar-connection-section.h"
#include "hangar-embedded-connection.h"
#include "hangar-machine-row.h"

struct _HangarConnectionSection
{
  GtkBox parent_instance;

  HangarConnection *connection;
  GtkFilterListModel *filtered;
  GtkCustomFilter *filter;
  char *search;
  GdkFrameClock *first_frame_clock; /* set until the window's first frame is shown */

  GtkLabel *title_label;
  GtkLabel *status_label;
  GtkSpinner *spinner;
  GtkMenuButton *menu_button;
  GtkListBox *machine_list;
  GtkLabel *placeholder_label;
  GtkBox *labs_header;
  GtkListBox *lab_list;
};

G_DEFINE_FINAL_TYPE (HangarConnectionSection, hangar_connection_section, GTK_TYPE_BOX)

enum
{
  MACHINE_SELECTED,
  LAB_SELECTED,
  RECONNECT,
  REMOVE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GtkWidget *
create_row (gpointer item, gpointer user_data)
{
  return hangar_machine_row_new (HANGAR_MACHINE (item));
}

static gboolean
matches_search (gpointer item, gpointer user_data)
{
  HangarConnectionSection *self = user_data;
  g_autofree char *name = NULL;

  if (self->first_frame_clock != NULL)
    return FALSE;
  if (self->search == NULL || *self->search == '\0')
    return TRUE;
  name = g_utf8_casefold (hangar_machine_get_name (HANGAR_MACHINE (item)), -1);
  return strstr (name, self->search) != NULL;
}

/* The section header says how the connection is, and what to do about it. */
static void
update_status (HangarConnectionSection *self)
{
  HangarConnectionState state = hangar_connection_get_state (self->connection);
  const char *status = NULL;
  const char *placeholder = _ ("No virtual machines here yet.");

  switch (state)
    {
      case HANGAR_CONNECTION_STATE_CONNECTING:
        status = _ ("Connecting…");
        placeholder = _ ("Connecting…");
        break;
      case HANGAR_CONNECTION_STATE_FAILED:
        status = hangar_connection_get_error_message (self->connection);
        placeholder = _ ("Not connected. Use the menu to connect again.");
        break;
      case HANGAR_CONNECTION_STATE_DISCONNECTED:
        status = _ ("Not connected");
        placeholder = _ ("Not connected. Use the menu to connect again.");
        break;
      case HANGAR_CONNECTION_STATE_CONNECTED:
      default:
        if (self->search != NULL && *self->search != '\0')
          placeholder = _ ("No machine matches the search.");
        break;
    }

  gtk_label_set_label (self->status_label, status);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), status != NULL);
  gtk_label_set_label (self->placeholder_label, placeholder);
  gtk_spinner_set_spinning (self->spinner, state == HANGAR_CONNECTION_STATE_CONNECTING);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), state == HANGAR_CONNECTION_STATE_CONNECTING);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "section.reconnect",
                                 state != HANGAR_CONNECTION_STATE_CONNECTING);
}

static void
on_row_selected (GtkListBox *list, GtkListBoxRow *row, HangarConnectionSection *self)
{
  if (row != NULL)
    g_signal_emit (self, signals[MACHINE_SELECTED], 0,
                   hangar_machine_row_get_machine (HANGAR_MACHINE_ROW (row)));
}

static void
on_lab_row_selected (GtkListBox *list, GtkListBoxRow *row, HangarConnectionSection *self)
{
  if (row != NULL)
    g_signal_emit (self, signals[LAB_SELECTED], 0, g_object_get_data (G_OBJECT (row), "lab"));
}

static void
update_lab_row (GtkWidget *subtitle, GParamSpec *pspec, HangarLab *lab)
{
  guint count = hangar_lab_get_count (lab);
  g_autofree char *text =
      g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u member", "%u members", count), count);

  gtk_label_set_label (GTK_LABEL (subtitle), text);
}

/* "class-a / 10 members", like a machine's row. */
static GtkWidget *
create_lab_row (gpointer item, gpointer user_data)
{
  HangarLab *lab = HANGAR_LAB (item);
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *name = gtk_label_new (hangar_lab_get_name (lab));
  GtkWidget *subtitle = gtk_label_new (NULL);

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_box_append (GTK_BOX (labels), name);
  gtk_box_append (GTK_BOX (labels), subtitle);
  gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name ("view-grid-symbolic"));
  gtk_box_append (GTK_BOX (box), labels);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data_full (G_OBJECT (row), "lab", g_object_ref (lab), g_object_unref);
  g_signal_connect_object (lab, "notify::count", G_CALLBACK (update_lab_row), subtitle,
                           G_CONNECT_SWAPPED);
  update_lab_row (subtitle, NULL, lab);
  return row;
}

/* Labs exist on This Computer only. */
static void
show_labs (HangarConnectionSection *self)
{
  if (!HANGAR_IS_EMBEDDED_CONNECTION (self->connection))
    return;
  gtk_list_box_bind_model (
      self->lab_list,
      hangar_embedded_connection_get_labs (HANGAR_EMBEDDED_CONNECTION (self->connection)),
      create_lab_row, self, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->labs_header), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->lab_list), TRUE);
}

/* The window's first frame comes before the rows of its machines: a
 * connection opened during start-up would otherwise have a hundred rows made,
 * styled and laid out first. They come in the frame right after. */
static void
stop_holding_rows (HangarConnectionSection *self)
{
  if (self->first_frame_clock == NULL)
    return;
  g_signal_handlers_disconnect_by_func (self->first_frame_clock, stop_holding_rows, self);
  g_clear_object (&self->first_frame_clock);
  gtk_widget_set_visible (GTK_WIDGET (self->placeholder_label), TRUE);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_LESS_STRICT);
}

static void
on_map (HangarConnectionSection *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  if (clock == NULL || self->first_frame_clock != NULL ||
      gdk_frame_clock_get_frame_counter (clock) > 0)
    return;
  self->first_frame_clock = g_object_ref (clock);
  g_signal_connect_swapped (clock, "after-paint", G_CALLBACK (stop_holding_rows), self);
  /* No "no machines" message for that one frame either. */
  gtk_widget_set_visible (GTK_WIDGET (self->placeholder_label), FALSE);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_MORE_STRICT);
}

static void
reconnect (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  g_signal_emit (widget, signals[RECONNECT], 0);
}

static void
remove_connection (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  g_signal_emit (widget, signals[REMOVE], 0);
}

static void
hangar_connection_section_dispose (GObject *object)
{
  HangarConnectionSection *self = HANGAR_CONNECTION_SECTION (object);

  if (self->first_frame_clock != NULL)
    g_signal_handlers_disconnect_by_func (self->first_frame_clock, stop_holding_rows, self);
  g_clear_object (&self->first_frame_clock);
  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  g_clear_object (&self->connection);
  g_clear_object (&self->filtered);
  g_clear_pointer (&self->search, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), HANGAR_TYPE_CONNECTION_SECTION);

  G_OBJECT_CLASS (hangar_connection_section_parent_class)->dispose (object);
}

static void
hangar_connection_section_class_init (HangarConnectionSectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hangar_connection_section_dispose;

  signals[MACHINE_SELECTED] =
      g_signal_new ("machine-selected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, HANGAR_TYPE_MACHINE);
  signals[LAB_SELECTED] =
      g_signal_new ("lab-selected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, HANGAR_TYPE_LAB);
  signals[RECONNECT] = g_signal_new ("reconnect", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                     NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[REMOVE] = g_signal_new ("remove", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                  NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (
      widget_class, "/io/github/hangar/Hangar/hangar-connection-section.ui");
  gtk_widget_class_bind_template_child (widget_class, HangarConnectionSection, title_label);
  gtk_widget_class_bind_template_child (widget_class, HangarConnectionSection, status_label);
  gtk_widget_class_bind_template_child (widget_class, HangarConnectionSection, spinner);
  gtk_widget_class_bind_template_child (widget_class, HangarConnectionSection, menu_button);
  gtk_widget_class_bind_template_child (widget_class, HangarConnectionSection, machine_list);
  gtk_widget_class_bind_template_child (widget_class, HangarConnectionSection, placeholder_label);
  gtk_widget_class_bind_template_child (widget_class, HangarConnectionSection, labs_header);
  gtk_widget_class_bind_template_child (widget_class, HangarConnectionSection, lab_list);
  gtk_widget_class_bind_template_callback (widget_class, on_row_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_lab_row_selected);

  gtk_widget_class_install_action (widget_class, "section.reconnect", NULL, reconnect);
  gtk_widget_class_install_action (widget_class, "section.remove", NULL, remove_connection);
}

static void
hangar_connection_section_init (HangarConnectionSection *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self, "map", G_CALLBACK (on_map), NULL);
}

GtkWidget *
hangar_connection_section_new (HangarConnection *connection, gboolean removable)
{
  HangarConnectionSection *self = g_object_new (HANGAR_TYPE_CONNECTION_SECTION, NULL);

  self->connection = g_object_ref (connection);
  self->filter = gtk_custom_filter_new (matches_search, self, NULL);
  self->filtered = gtk_filter_list_model_new (
      g_object_ref (hangar_connection_get_machines (connection)), GTK_FILTER (self->filter));
  gtk_list_box_bind_model (self->machine_list, G_LIST_MODEL (self->filtered), create_row, self,
                           NULL);
  gtk_label_set_label (self->title_label, hangar_connection_get_title (connection));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label),
                               hangar_connection_get_uri (connection));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "section.remove", removable);

  g_signal_connect_swapped (connection, "notify::state", G_CALLBACK (update_status), self);
  g_signal_connect_swapped (connection, "notify::error-message", G_CALLBACK (update_status), self);
  update_status (self);
  show_labs (self);
  return GTK_WIDGET (self);
}

HangarConnection *
hangar_connection_section_get_connection (HangarConnectionSection *self)
{
  g_return_val_if_fail (HANGAR_IS_CONNECTION_SECTION (self), NULL);

  return self->connection;
}

void
hangar_connection_section_set_search (HangarConnectionSection *self, const char *text)
{
  g_return_if_fail (HANGAR_IS_CONNECTION_SECTION (self));

  g_free (self->search);
  self->search = text != NULL ? g_utf8_casefold (text, -1) : NULL;
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_status (self);
}

gboolean
hangar_connection_section_select (HangarConnectionSection *self, HangarMachine *machine)
{
  for (int i = 0;; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->machine_list, i);

      if (row == NULL)
        return FALSE;
      if (hangar_machine_row_get_machine (HANGAR_MACHINE_ROW (row)) == machine)
        {
          gtk_list_box_unselect_all (self->lab_list);
          gtk_list_box_select_row (self->machine_list, row);
          return TRUE;
        }
    }
}

void
hangar_connection_section_unselect (HangarConnectionSection *self)
{
  g_return_if_fail (HANGAR_IS_CONNECTION_SECTION (self));

  gtk_list_box_unselect_all (self->machine_list);
  gtk_list_box_unselect_all (self->lab_list);
}

gboolean
hangar_connection_section_select_lab (HangarConnectionSection *self, HangarLab *lab)
{
  g_return_val_if_fail (HANGAR_IS_CONNECTION_SECTION (self), FALSE);

  for (int i = 0;; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->lab_list, i);

      if (row == NULL)
        return FALSE;
      if (g_object_get_data (G_OBJECT (row), "lab") == lab)
        {
          gtk_list_box_unselect_all (self->machine_list);
          gtk_list_box_select_row (self->lab_list, row);
          return TRUE;
        }
    }
}
