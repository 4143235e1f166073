/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "hangar-wizard-os-page.h"

struct _HangarWizardOsPage
{
  AdwBin parent_instance;

  GCancellable *cancellable;
  GHashTable *by_name;     /* name -> HangarOsInfo (owned) */
  HangarOsInfo *os;        /* chosen or recognized; owned */
  gboolean kernel_missing; /* the connection needs a kernel the installer lacks */

  AdwActionRow *detected_row;
  AdwAvatar *logo;
  AdwActionRow *kernel_row;
  GtkSearchEntry *search_entry;
  GtkListView *os_list;
  GtkStringList *os_names;
  GtkStringFilter *filter;
  GtkSingleSelection *selection;
};

G_DEFINE_FINAL_TYPE (HangarWizardOsPage, hangar_wizard_os_page, ADW_TYPE_BIN)

enum
{
  CHANGED,
  USE_LIBVIRT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_os (HangarWizardOsPage *self, const char *how)
{
  if (self->os == NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->detected_row),
                                     _ ("Unknown Operating System"));
      adw_action_row_set_subtitle (self->detected_row,
                                   _ ("Choose it below: Hangar then suggests what it needs."));
      adw_avatar_set_text (self->logo, "?");
      adw_avatar_set_custom_image (self->logo, NULL);
      return;
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->detected_row), self->os->name);
  adw_action_row_set_subtitle (self->detected_row, how);
  adw_avatar_set_text (self->logo, self->os->name);
  adw_avatar_set_custom_image (self->logo, NULL);
  if (self->os->logo != NULL && g_str_has_prefix (self->os->logo, "file:"))
    {
      g_autoptr (GFile) file = g_file_new_for_uri (self->os->logo);
      g_autoptr (GdkTexture) texture = gdk_texture_new_from_file (file, NULL);

      if (texture != NULL)
        adw_avatar_set_custom_image (self->logo, GDK_PAINTABLE (texture));
    }
}

static void
set_os (HangarWizardOsPage *self, const HangarOsInfo *os)
{
  g_clear_pointer (&self->os, hangar_os_info_free);
  if (os != NULL)
    self->os = hangar_os_info_copy (os);
}

static void
on_selection_changed (HangarWizardOsPage *self)
{
  GtkStringObject *item = gtk_single_selection_get_selected_item (self->selection);
  const HangarOsInfo *os;
  g_autofree char *how = NULL;

  if (item == NULL)
    return;
  os = g_hash_table_lookup (self->by_name, gtk_string_object_get_string (item));
  if (os == NULL)
    return;
  set_os (self, os);
  how = os->version != NULL ? g_strdup_printf (_ ("Version %s, chosen from the list"), os->version)
                            : g_strdup (_ ("Chosen from the list"));
  show_os (self, how);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_search_changed (HangarWizardOsPage *self)
{
  gtk_string_filter_set_search (self->filter,
                                gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
use_libvirt (HangarWizardOsPage *self)
{
  g_signal_emit (self, signals[USE_LIBVIRT], 0);
}

static void
on_list_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GPtrArray) list = hangar_os_list_finish (result, NULL);
  HangarWizardOsPage *self;

  if (list == NULL)
    return;
  self = HANGAR_WIZARD_OS_PAGE (user_data);
  for (guint i = 0; i < list->len; i++)
    {
      HangarOsInfo *os = g_ptr_array_index (list, i);

      if (g_hash_table_contains (self->by_name, os->name))
        continue;
      g_hash_table_insert (self->by_name, g_strdup (os->name), hangar_os_info_copy (os));
      gtk_string_list_append (self->os_names, os->name);
    }
}

static void
setup_item (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_bottom (label, 6);
  gtk_list_item_set_child (item, label);
}

static void
bind_item (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  GtkStringObject *name = gtk_list_item_get_item (item);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)),
                      gtk_string_object_get_string (name));
}

/* ---- Public ---- */

void
hangar_wizard_os_page_set_inspection (HangarWizardOsPage *self,
                                      const HangarInstallInspection *inspection,
                                      gboolean needs_kernel)
{
  g_autofree char *how = NULL;

  g_return_if_fail (HANGAR_IS_WIZARD_OS_PAGE (self));

  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
  set_os (self, inspection != NULL ? inspection->os : NULL);
  if (self->os != NULL)
    how = self->os->version != NULL
              ? g_strdup_printf (_ ("Version %s, recognized on the installer"), self->os->version)
              : g_strdup (_ ("Recognized on the installer"));
  show_os (self, how);

  self->kernel_missing = needs_kernel && inspection != NULL && inspection->kernel == NULL;
  gtk_widget_set_visible (GTK_WIDGET (self->kernel_row), self->kernel_missing);
  if (self->kernel_missing)
    adw_action_row_set_subtitle (self->kernel_row, inspection->kernel_error);
  g_signal_emit (self, signals[CHANGED], 0);
}

const HangarOsInfo *
hangar_wizard_os_page_get_os (HangarWizardOsPage *self)
{
  g_return_val_if_fail (HANGAR_IS_WIZARD_OS_PAGE (self), NULL);

  return self->os;
}

gboolean
hangar_wizard_os_page_choose (HangarWizardOsPage *self, const char *short_id)
{
  GListModel *shown = G_LIST_MODEL (self->selection);

  g_return_val_if_fail (HANGAR_IS_WIZARD_OS_PAGE (self), FALSE);

  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr (GtkStringObject) item = g_list_model_get_item (shown, i);
      const HangarOsInfo *os =
          g_hash_table_lookup (self->by_name, gtk_string_object_get_string (item));

      if (os != NULL && g_strcmp0 (os->short_id, short_id) == 0)
        {
          gtk_single_selection_set_selected (self->selection, i);
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
hangar_wizard_os_page_is_complete (HangarWizardOsPage *self)
{
  return !self->kernel_missing;
}

/* ---- GObject ---- */

static void
hangar_wizard_os_page_dispose (GObject *object)
{
  HangarWizardOsPage *self = HANGAR_WIZARD_OS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->by_name, g_hash_table_unref);
  g_clear_pointer (&self->os, hangar_os_info_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), HANGAR_TYPE_WIZARD_OS_PAGE);

  G_OBJECT_CLASS (hangar_wizard_os_page_parent_class)->dispose (object);
}

static void
hangar_wizard_os_page_class_init (HangarWizardOsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hangar_wizard_os_page_dispose;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                   NULL, NULL, G_TYPE_NONE, 0);
  signals[USE_LIBVIRT] = g_signal_new ("use-libvirt", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hangar/Hangar/hangar-wizard-os-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HangarWizardOsPage, detected_row);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardOsPage, logo);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardOsPage, kernel_row);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardOsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardOsPage, os_list);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardOsPage, os_names);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardOsPage, filter);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardOsPage, selection);
  gtk_widget_class_bind_template_callback (widget_class, on_selection_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, use_libvirt);
  gtk_widget_class_bind_template_callback (widget_class, setup_item);
  gtk_widget_class_bind_template_callback (widget_class, bind_item);
}

static void
hangar_wizard_os_page_init (HangarWizardOsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->by_name =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) hangar_os_info_free);
  self->cancellable = g_cancellable_new ();
  hangar_os_list_async (self->cancellable, on_list_loaded, self);
  show_os (self, NULL);
}
