/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "hangar-window.h"

struct _HangarWindow
{
  AdwApplicationWindow parent_instance;

  GSettings *settings;

  AdwLeaflet *leaflet;
};

G_DEFINE_FINAL_TYPE (HangarWindow, hangar_window, ADW_TYPE_APPLICATION_WINDOW)

static void
hangar_window_restore_state (HangarWindow *self)
{
  int width = g_settings_get_int (self->settings, "window-width");
  int height = g_settings_get_int (self->settings, "window-height");

  gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
hangar_window_save_state (HangarWindow *self)
{
  int width, height;
  gboolean maximized = gtk_window_is_maximized (GTK_WINDOW (self));

  /* A maximized window's size is the screen's: keep the size to restore to. */
  if (!maximized)
    {
      gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized", maximized);
}

static gboolean
hangar_window_close_request (GtkWindow *window)
{
  hangar_window_save_state (HANGAR_WINDOW (window));

  return GTK_WINDOW_CLASS (hangar_window_parent_class)->close_request (window);
}

static void
hangar_window_dispose (GObject *object)
{
  HangarWindow *self = HANGAR_WINDOW (object);

  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), HANGAR_TYPE_WINDOW);

  G_OBJECT_CLASS (hangar_window_parent_class)->dispose (object);
}

static void
show_content (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  HangarWindow *self = HANGAR_WINDOW (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
show_sidebar (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  HangarWindow *self = HANGAR_WINDOW (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
hangar_window_class_init (HangarWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = hangar_window_dispose;

  window_class->close_request = hangar_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hangar/Hangar/hangar-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HangarWindow, leaflet);

  gtk_widget_class_install_action (widget_class, "win.show-content", NULL, show_content);
  gtk_widget_class_install_action (widget_class, "win.show-sidebar", NULL, show_sidebar);
}

static void
hangar_window_init (HangarWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  hangar_window_restore_state (self);
}

HangarWindow *
hangar_window_new (HangarApplication *app)
{
  g_return_val_if_fail (HANGAR_IS_APPLICATION (app), NULL);

  return g_object_new (HANGAR_TYPE_WINDOW, "application", app, NULL);
}
