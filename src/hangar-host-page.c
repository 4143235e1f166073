/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "hangar-host-page.h"
#include "hangar-host.h"

struct _HangarHostPage
{
  GtkBox parent_instance;

  GPtrArray *rows;

  AdwPreferencesGroup *checks_group;
};

G_DEFINE_FINAL_TYPE (HangarHostPage, hangar_host_page, GTK_TYPE_BOX)

static GtkWidget *
status_icon (HangarCheckStatus status)
{
  static const struct
  {
    const char *icon, *style, *tooltip;
  } looks[] = {
    [HANGAR_CHECK_OK] = { "emblem-ok-symbolic", "success", N_ ("Fine") },
    [HANGAR_CHECK_WARNING] = { "dialog-warning-symbolic", "warning", N_ ("Worth a look") },
    [HANGAR_CHECK_FAILED] = { "dialog-error-symbolic", "error", N_ ("Missing") },
  };
  GtkWidget *icon = gtk_image_new_from_icon_name (looks[status].icon);

  gtk_widget_add_css_class (icon, looks[status].style);
  gtk_widget_set_tooltip_text (icon, _ (looks[status].tooltip));
  return icon;
}

void
hangar_host_page_refresh (HangarHostPage *self)
{
  HangarHostSources sources;
  g_autoptr (GPtrArray) checks = NULL;

  g_return_if_fail (HANGAR_IS_HOST_PAGE (self));

  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (self->checks_group, g_ptr_array_index (self->rows, i));
  g_ptr_array_set_size (self->rows, 0);

  hangar_host_sources_init_default (&sources);
  checks = hangar_host_check_all (&sources);
  for (guint i = 0; i < checks->len; i++)
    {
      const HangarHostCheck *check = g_ptr_array_index (checks, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *value = gtk_label_new (check->value);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), check->title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), check->explanation);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), status_icon (check->status));
      gtk_widget_add_css_class (value, "dim-label");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), value);
      adw_preferences_group_add (self->checks_group, row);
      g_ptr_array_add (self->rows, row);
    }
}

static void
hangar_host_page_dispose (GObject *object)
{
  HangarHostPage *self = HANGAR_HOST_PAGE (object);

  g_clear_pointer (&self->rows, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), HANGAR_TYPE_HOST_PAGE);

  G_OBJECT_CLASS (hangar_host_page_parent_class)->dispose (object);
}

static void
hangar_host_page_class_init (HangarHostPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hangar_host_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hangar/Hangar/hangar-host-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HangarHostPage, checks_group);
}

static void
hangar_host_page_init (HangarHostPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_ptr_array_new ();
}

GtkWidget *
hangar_host_page_new (void)
{
  return g_object_new (HANGAR_TYPE_HOST_PAGE, NULL);
}
