/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "hangar-add-connection-dialog.h"
#include "hangar-libvirt-uri.h"

struct _HangarAddConnectionDialog
{
  AdwWindow parent_instance;

  AdwComboRow *hypervisor_row;
  AdwEntryRow *custom_uri_row;
  GtkSwitch *remote_switch;
  AdwEntryRow *user_row;
  AdwEntryRow *host_row;
  AdwEntryRow *name_row;
  AdwActionRow *uri_row;
};

G_DEFINE_FINAL_TYPE (HangarAddConnectionDialog, hangar_add_connection_dialog, ADW_TYPE_WINDOW)

enum
{
  CONNECTION_CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The combo row's items are in HangarLibvirtPreset's order. */
static char *
build_uri (HangarAddConnectionDialog *self, GError **error)
{
  HangarLibvirtPreset preset = adw_combo_row_get_selected (self->hypervisor_row);
  gboolean remote = gtk_switch_get_active (self->remote_switch);

  return hangar_libvirt_uri_build (
      preset, remote ? gtk_editable_get_text (GTK_EDITABLE (self->user_row)) : NULL,
      remote ? gtk_editable_get_text (GTK_EDITABLE (self->host_row)) : NULL,
      gtk_editable_get_text (GTK_EDITABLE (self->custom_uri_row)), error);
}

/* Every change shows the URI it makes, or why it makes none. */
static void
update (HangarAddConnectionDialog *self)
{
  HangarLibvirtPreset preset = adw_combo_row_get_selected (self->hypervisor_row);
  gboolean custom = preset == HANGAR_LIBVIRT_PRESET_CUSTOM;
  gboolean remote = gtk_switch_get_active (self->remote_switch);
  g_autoptr (GError) error = NULL;
  g_autofree char *uri = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->custom_uri_row), custom);
  gtk_widget_set_sensitive (GTK_WIDGET (self->remote_switch), !custom);
  gtk_widget_set_sensitive (GTK_WIDGET (self->user_row), remote && !custom);
  gtk_widget_set_sensitive (GTK_WIDGET (self->host_row), remote && !custom);

  if (remote && !custom && *gtk_editable_get_text (GTK_EDITABLE (self->host_row)) == '\0')
    {
      adw_action_row_set_subtitle (self->uri_row, _ ("Type the remote host’s name."));
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.connect", FALSE);
      return;
    }
  uri = build_uri (self, &error);
  adw_action_row_set_subtitle (self->uri_row, uri != NULL ? uri : error->message);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.connect", uri != NULL);
}

static void
connect_clicked (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  HangarAddConnectionDialog *self = HANGAR_ADD_CONNECTION_DIALOG (widget);
  g_autofree char *uri = build_uri (self, NULL);

  if (uri == NULL)
    return;
  g_signal_emit (self, signals[CONNECTION_CHOSEN], 0, uri,
                 gtk_editable_get_text (GTK_EDITABLE (self->name_row)));
  gtk_window_close (GTK_WINDOW (self));
}

static void
hangar_add_connection_dialog_class_init (HangarAddConnectionDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  signals[CONNECTION_CHOSEN] =
      g_signal_new ("connection-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                    NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (
      widget_class, "/io/github/hangar/Hangar/hangar-add-connection-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, HangarAddConnectionDialog, hypervisor_row);
  gtk_widget_class_bind_template_child (widget_class, HangarAddConnectionDialog, custom_uri_row);
  gtk_widget_class_bind_template_child (widget_class, HangarAddConnectionDialog, remote_switch);
  gtk_widget_class_bind_template_child (widget_class, HangarAddConnectionDialog, user_row);
  gtk_widget_class_bind_template_child (widget_class, HangarAddConnectionDialog, host_row);
  gtk_widget_class_bind_template_child (widget_class, HangarAddConnectionDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, HangarAddConnectionDialog, uri_row);
  gtk_widget_class_bind_template_callback (widget_class, update);

  gtk_widget_class_install_action (widget_class, "dialog.connect", NULL, connect_clicked);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
hangar_add_connection_dialog_init (HangarAddConnectionDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_editable_set_text (GTK_EDITABLE (self->user_row), g_get_user_name ());
  update (self);
}

GtkWidget *
hangar_add_connection_dialog_new (GtkWindow *parent)
{
  return g_object_new (HANGAR_TYPE_ADD_CONNECTION_DIALOG, "transient-for", parent, "modal", TRUE,
                       NULL);
}
