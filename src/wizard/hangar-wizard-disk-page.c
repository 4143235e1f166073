/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "hangar-wizard-disk-page.h"

#define GIB (1024ull * 1024 * 1024)

struct _HangarWizardDiskPage
{
  AdwBin parent_instance;

  char *storage_dir;

  GtkCheckButton *new_check;
  GtkCheckButton *existing_check;
  GtkCheckButton *none_check;
  AdwActionRow *new_row;
  AdwActionRow *size_row;
  GtkSpinButton *size_spin;
  AdwEntryRow *existing_entry;
};

G_DEFINE_FINAL_TYPE (HangarWizardDiskPage, hangar_wizard_disk_page, ADW_TYPE_BIN)

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_changed (HangarWizardDiskPage *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_file_chosen (GtkNativeDialog *chooser, int response, HangarWizardDiskPage *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = g_file_get_path (file);

      if (path != NULL)
        gtk_editable_set_text (GTK_EDITABLE (self->existing_entry), path);
    }
  g_object_unref (chooser);
}

static void
choose_existing (HangarWizardDiskPage *self)
{
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (
      _ ("Choose a Disk Image"), GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
      GTK_FILE_CHOOSER_ACTION_OPEN, NULL, NULL);

  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_file_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

void
hangar_wizard_disk_page_set_storage (HangarWizardDiskPage *self, const char *dir,
                                     guint64 free_bytes)
{
  g_autofree char *free_text = NULL;
  g_autofree char *subtitle = NULL;

  g_return_if_fail (HANGAR_IS_WIZARD_DISK_PAGE (self));

  g_free (self->storage_dir);
  self->storage_dir = g_strdup (dir);
  if (free_bytes > 0)
    {
      free_text = g_format_size_full (free_bytes, G_FORMAT_SIZE_IEC_UNITS);
      subtitle = g_strdup_printf (_ ("A sparse file in %s, where %s are free. It takes space "
                                     "only as the guest writes."),
                                  dir != NULL ? dir : "?", free_text);
    }
  else
    subtitle = g_strdup_printf (_ ("A sparse file in %s. It takes space only as the guest "
                                   "writes."),
                                dir != NULL ? dir : "?");
  adw_action_row_set_subtitle (self->new_row, subtitle);
  gtk_spin_button_set_range (self->size_spin, 1, free_bytes >= GIB ? free_bytes / GIB : 4096);
}

void
hangar_wizard_disk_page_set_recommended_size (HangarWizardDiskPage *self, guint64 bytes)
{
  g_return_if_fail (HANGAR_IS_WIZARD_DISK_PAGE (self));

  gtk_spin_button_set_value (self->size_spin, bytes > 0 ? (bytes + GIB - 1) / GIB : 20);
}

void
hangar_wizard_disk_page_set_import (HangarWizardDiskPage *self, const char *path)
{
  g_return_if_fail (HANGAR_IS_WIZARD_DISK_PAGE (self));

  if (path != NULL)
    {
      gtk_check_button_set_active (self->existing_check, TRUE);
      gtk_editable_set_text (GTK_EDITABLE (self->existing_entry), path);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->new_check), path == NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->none_check), path == NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->existing_entry), path == NULL);
}

HangarDiskChoice
hangar_wizard_disk_page_get_choice (HangarWizardDiskPage *self)
{
  if (gtk_check_button_get_active (self->new_check))
    return HANGAR_DISK_NEW;
  if (gtk_check_button_get_active (self->existing_check))
    return HANGAR_DISK_EXISTING;
  return HANGAR_DISK_NONE;
}

guint64
hangar_wizard_disk_page_get_size_bytes (HangarWizardDiskPage *self)
{
  return (guint64) gtk_spin_button_get_value_as_int (self->size_spin) * GIB;
}

const char *
hangar_wizard_disk_page_get_existing_path (HangarWizardDiskPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->existing_entry));

  return *text != '\0' ? text : NULL;
}

const char *
hangar_wizard_disk_page_get_storage_dir (HangarWizardDiskPage *self)
{
  return self->storage_dir;
}

gboolean
hangar_wizard_disk_page_is_complete (HangarWizardDiskPage *self)
{
  switch (hangar_wizard_disk_page_get_choice (self))
    {
      case HANGAR_DISK_NEW:
        return self->storage_dir != NULL;
      case HANGAR_DISK_EXISTING:
        return hangar_wizard_disk_page_get_existing_path (self) != NULL;
      case HANGAR_DISK_NONE:
      default:
        return TRUE;
    }
}

static void
hangar_wizard_disk_page_dispose (GObject *object)
{
  HangarWizardDiskPage *self = HANGAR_WIZARD_DISK_PAGE (object);

  g_clear_pointer (&self->storage_dir, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), HANGAR_TYPE_WIZARD_DISK_PAGE);

  G_OBJECT_CLASS (hangar_wizard_disk_page_parent_class)->dispose (object);
}

static void
hangar_wizard_disk_page_class_init (HangarWizardDiskPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hangar_wizard_disk_page_dispose;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                   NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (
      widget_class, "/io/github/hangar/Hangar/hangar-wizard-disk-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HangarWizardDiskPage, new_check);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardDiskPage, existing_check);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardDiskPage, none_check);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardDiskPage, new_row);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardDiskPage, size_row);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardDiskPage, size_spin);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardDiskPage, existing_entry);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
  gtk_widget_class_bind_template_callback (widget_class, choose_existing);
}

static void
hangar_wizard_disk_page_init (HangarWizardDiskPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
