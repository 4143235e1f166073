/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "hangar-embedded-connection.h"
#include "hangar-wizard-source-page.h"

struct _HangarWizardSourcePage
{
  AdwBin parent_instance;

  GPtrArray *connections; /* of HangarConnection, in the combo row's order */

  AdwComboRow *connection_row;
  GtkStringList *connection_names;
  GtkCheckButton *iso_check;
  GtkCheckButton *tree_check;
  GtkCheckButton *kernel_check;
  GtkCheckButton *import_check;
  GtkCheckButton *empty_check;
  AdwEntryRow *iso_entry;
  AdwEntryRow *tree_entry;
  AdwEntryRow *kernel_entry;
  AdwEntryRow *initrd_entry;
  AdwEntryRow *cmdline_entry;
  AdwEntryRow *import_entry;
};

G_DEFINE_FINAL_TYPE (HangarWizardSourcePage, hangar_wizard_source_page, ADW_TYPE_BIN)

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
text_of (AdwEntryRow *row)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));

  return *text != '\0' ? text : NULL;
}

static void
on_changed (HangarWizardSourcePage *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

/* ---- Choosing files ---- */

static void
on_file_chosen (GtkNativeDialog *chooser, int response, AdwEntryRow *row)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = g_file_get_path (file);

      if (path != NULL)
        gtk_editable_set_text (GTK_EDITABLE (row), path);
    }
  g_object_unref (chooser);
}

static void
choose_file (HangarWizardSourcePage *self, AdwEntryRow *row, const char *title, gboolean folder)
{
  GtkWindow *parent = GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self)));
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (
      title, parent, folder ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER : GTK_FILE_CHOOSER_ACTION_OPEN,
      NULL, NULL);

  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_file_chosen), row);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
choose_iso (HangarWizardSourcePage *self)
{
  choose_file (self, self->iso_entry, _ ("Choose a Disc Image"), FALSE);
}

static void
choose_tree (HangarWizardSourcePage *self)
{
  choose_file (self, self->tree_entry, _ ("Choose an Install Tree"), TRUE);
}

static void
choose_kernel (HangarWizardSourcePage *self)
{
  choose_file (self, self->kernel_entry, _ ("Choose a Linux Kernel"), FALSE);
}

static void
choose_initrd (HangarWizardSourcePage *self)
{
  choose_file (self, self->initrd_entry, _ ("Choose an Initrd"), FALSE);
}

static void
choose_import (HangarWizardSourcePage *self)
{
  choose_file (self, self->import_entry, _ ("Choose a Disk Image"), FALSE);
}

/* ---- Public ---- */

void
hangar_wizard_source_page_set_connections (HangarWizardSourcePage *self, GListModel *connections,
                                           HangarConnection *selected)
{
  guint position = 0;

  g_return_if_fail (HANGAR_IS_WIZARD_SOURCE_PAGE (self));

  g_ptr_array_set_size (self->connections, 0);
  gtk_string_list_splice (self->connection_names, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->connection_names)), NULL);
  for (guint i = 0; i < g_list_model_get_n_items (connections); i++)
    {
      g_autoptr (HangarConnection) connection = g_list_model_get_item (connections, i);

      if (hangar_connection_get_state (connection) != HANGAR_CONNECTION_STATE_CONNECTED)
        continue;
      if (connection == selected)
        position = self->connections->len;
      g_ptr_array_add (self->connections, g_object_ref (connection));
      gtk_string_list_append (self->connection_names, hangar_connection_get_title (connection));
    }
  adw_combo_row_set_selected (self->connection_row, position);
}

HangarConnection *
hangar_wizard_source_page_get_connection (HangarWizardSourcePage *self)
{
  guint selected = adw_combo_row_get_selected (self->connection_row);

  g_return_val_if_fail (HANGAR_IS_WIZARD_SOURCE_PAGE (self), NULL);

  return selected < self->connections->len ? g_ptr_array_index (self->connections, selected) : NULL;
}

gboolean
hangar_wizard_source_page_select_libvirt (HangarWizardSourcePage *self)
{
  for (guint i = 0; i < self->connections->len; i++)
    {
      /* Every connection but This Computer is a libvirt one. */
      if (!HANGAR_IS_EMBEDDED_CONNECTION (g_ptr_array_index (self->connections, i)))
        {
          adw_combo_row_set_selected (self->connection_row, i);
          return TRUE;
        }
    }
  return FALSE;
}

HangarSourceKind
hangar_wizard_source_page_get_kind (HangarWizardSourcePage *self)
{
  if (gtk_check_button_get_active (self->iso_check))
    return HANGAR_SOURCE_ISO;
  if (gtk_check_button_get_active (self->tree_check))
    return HANGAR_SOURCE_TREE;
  if (gtk_check_button_get_active (self->kernel_check))
    return HANGAR_SOURCE_KERNEL;
  if (gtk_check_button_get_active (self->import_check))
    return HANGAR_SOURCE_IMPORT;
  return HANGAR_SOURCE_EMPTY;
}

const char *
hangar_wizard_source_page_get_location (HangarWizardSourcePage *self)
{
  switch (hangar_wizard_source_page_get_kind (self))
    {
      case HANGAR_SOURCE_ISO:
        return text_of (self->iso_entry);
      case HANGAR_SOURCE_TREE:
        return text_of (self->tree_entry);
      case HANGAR_SOURCE_IMPORT:
        return text_of (self->import_entry);
      case HANGAR_SOURCE_KERNEL:
      case HANGAR_SOURCE_EMPTY:
      default:
        return NULL;
    }
}

const char *
hangar_wizard_source_page_get_kernel (HangarWizardSourcePage *self)
{
  return text_of (self->kernel_entry);
}

const char *
hangar_wizard_source_page_get_initrd (HangarWizardSourcePage *self)
{
  return text_of (self->initrd_entry);
}

const char *
hangar_wizard_source_page_get_cmdline (HangarWizardSourcePage *self)
{
  return text_of (self->cmdline_entry);
}

gboolean
hangar_wizard_source_page_is_complete (HangarWizardSourcePage *self)
{
  if (hangar_wizard_source_page_get_connection (self) == NULL)
    return FALSE;
  switch (hangar_wizard_source_page_get_kind (self))
    {
      case HANGAR_SOURCE_KERNEL:
        return text_of (self->kernel_entry) != NULL;
      case HANGAR_SOURCE_EMPTY:
        return TRUE;
      case HANGAR_SOURCE_ISO:
      case HANGAR_SOURCE_TREE:
      case HANGAR_SOURCE_IMPORT:
      default:
        return hangar_wizard_source_page_get_location (self) != NULL;
    }
}

/* ---- GObject ---- */

static void
hangar_wizard_source_page_dispose (GObject *object)
{
  HangarWizardSourcePage *self = HANGAR_WIZARD_SOURCE_PAGE (object);

  g_clear_pointer (&self->connections, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), HANGAR_TYPE_WIZARD_SOURCE_PAGE);

  G_OBJECT_CLASS (hangar_wizard_source_page_parent_class)->dispose (object);
}

static void
hangar_wizard_source_page_class_init (HangarWizardSourcePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hangar_wizard_source_page_dispose;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                   NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (
      widget_class, "/io/github/hangar/Hangar/hangar-wizard-source-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HangarWizardSourcePage, connection_row);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardSourcePage, connection_names);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardSourcePage, iso_check);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardSourcePage, tree_check);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardSourcePage, kernel_check);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardSourcePage, import_check);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardSourcePage, empty_check);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardSourcePage, iso_entry);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardSourcePage, tree_entry);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardSourcePage, kernel_entry);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardSourcePage, initrd_entry);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardSourcePage, cmdline_entry);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardSourcePage, import_entry);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
  gtk_widget_class_bind_template_callback (widget_class, choose_iso);
  gtk_widget_class_bind_template_callback (widget_class, choose_tree);
  gtk_widget_class_bind_template_callback (widget_class, choose_kernel);
  gtk_widget_class_bind_template_callback (widget_class, choose_initrd);
  gtk_widget_class_bind_template_callback (widget_class, choose_import);
}

static void
hangar_wizard_source_page_init (HangarWizardSourcePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->connections = g_ptr_array_new_with_free_func (g_object_unref);
}
