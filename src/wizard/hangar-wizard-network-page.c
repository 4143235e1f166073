/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "hangar-wizard-network-page.h"

struct _HangarWizardNetworkPage
{
  AdwBin parent_instance;

  char *nat_network; /* the connection's NAT network: "default" where it has one */

  GtkCheckButton *nat_check;
  GtkCheckButton *bridge_check;
  GtkCheckButton *isolated_check;
  GtkCheckButton *none_check;
  AdwActionRow *nat_row;
  AdwActionRow *bridge_row;
  AdwActionRow *isolated_row;
  AdwActionRow *none_row;
  AdwComboRow *bridge_combo;
  GtkStringList *bridge_names;
  AdwComboRow *lab_combo;
  GtkStringList *lab_names;
  AdwEntryRow *new_lab_entry;
};

G_DEFINE_FINAL_TYPE (HangarWizardNetworkPage, hangar_wizard_network_page, ADW_TYPE_BIN)

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_changed (HangarWizardNetworkPage *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static const char *
selected_string (AdwComboRow *row)
{
  GtkStringObject *item = adw_combo_row_get_selected_item (row);

  return item != NULL ? gtk_string_object_get_string (item) : NULL;
}

static void
clear_list (GtkStringList *list)
{
  gtk_string_list_splice (list, 0, g_list_model_get_n_items (G_LIST_MODEL (list)), NULL);
}

void
hangar_wizard_network_page_set_networks (HangarWizardNetworkPage *self, const char *const *bridges,
                                         GPtrArray *networks)
{
  guint n_bridges = bridges != NULL ? g_strv_length ((char **) bridges) : 0;

  g_return_if_fail (HANGAR_IS_WIZARD_NETWORK_PAGE (self));

  clear_list (self->bridge_names);
  clear_list (self->lab_names);
  g_clear_pointer (&self->nat_network, g_free);
  for (guint i = 0; i < n_bridges; i++)
    gtk_string_list_append (self->bridge_names, bridges[i]);
  for (guint i = 0; networks != NULL && i < networks->len; i++)
    {
      HangarNetworkInfo *network = g_ptr_array_index (networks, i);

      if (network->isolated)
        gtk_string_list_append (self->lab_names, network->name);
      else if (self->nat_network == NULL || g_str_equal (network->name, "default"))
        {
          g_free (self->nat_network);
          self->nat_network = g_strdup (network->name);
        }
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->bridge_row), n_bridges > 0);
  if (n_bridges == 0)
    adw_action_row_set_subtitle (self->bridge_row,
                                 _ ("The host has no network bridge: create one first (with "
                                    "NetworkManager or /etc/network/interfaces)."));
  on_changed (self);
}

HangarNetworkMode
hangar_wizard_network_page_get_mode (HangarWizardNetworkPage *self)
{
  if (gtk_check_button_get_active (self->nat_check))
    return HANGAR_NETWORK_NAT;
  if (gtk_check_button_get_active (self->bridge_check))
    return HANGAR_NETWORK_BRIDGE;
  if (gtk_check_button_get_active (self->isolated_check))
    return HANGAR_NETWORK_ISOLATED;
  return HANGAR_NETWORK_NONE;
}

const char *
hangar_wizard_network_page_get_source (HangarWizardNetworkPage *self)
{
  const char *new_lab = gtk_editable_get_text (GTK_EDITABLE (self->new_lab_entry));

  switch (hangar_wizard_network_page_get_mode (self))
    {
      case HANGAR_NETWORK_NAT:
        return self->nat_network != NULL ? self->nat_network : "default";
      case HANGAR_NETWORK_BRIDGE:
        return selected_string (self->bridge_combo);
      case HANGAR_NETWORK_ISOLATED:
        return *new_lab != '\0' ? new_lab : selected_string (self->lab_combo);
      case HANGAR_NETWORK_NONE:
      case HANGAR_NETWORK_USER:
      default:
        return NULL;
    }
}

gboolean
hangar_wizard_network_page_is_complete (HangarWizardNetworkPage *self)
{
  HangarNetworkMode mode = hangar_wizard_network_page_get_mode (self);

  if (mode == HANGAR_NETWORK_BRIDGE || mode == HANGAR_NETWORK_ISOLATED)
    return hangar_wizard_network_page_get_source (self) != NULL;
  return TRUE;
}

static void
hangar_wizard_network_page_dispose (GObject *object)
{
  HangarWizardNetworkPage *self = HANGAR_WIZARD_NETWORK_PAGE (object);

  g_clear_pointer (&self->nat_network, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), HANGAR_TYPE_WIZARD_NETWORK_PAGE);

  G_OBJECT_CLASS (hangar_wizard_network_page_parent_class)->dispose (object);
}

static void
hangar_wizard_network_page_class_init (HangarWizardNetworkPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hangar_wizard_network_page_dispose;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                   NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (
      widget_class, "/io/github/hangar/Hangar/hangar-wizard-network-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HangarWizardNetworkPage, nat_check);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardNetworkPage, bridge_check);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardNetworkPage, isolated_check);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardNetworkPage, none_check);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardNetworkPage, nat_row);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardNetworkPage, bridge_row);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardNetworkPage, isolated_row);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardNetworkPage, none_row);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardNetworkPage, bridge_combo);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardNetworkPage, bridge_names);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardNetworkPage, lab_combo);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardNetworkPage, lab_names);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardNetworkPage, new_lab_entry);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
}

static void
hangar_wizard_network_page_init (HangarWizardNetworkPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* The explanations are the back end's, shared with the machine page. */
  adw_action_row_set_subtitle (self->nat_row, hangar_network_mode_describe (HANGAR_NETWORK_NAT));
  adw_action_row_set_subtitle (self->bridge_row,
                               hangar_network_mode_describe (HANGAR_NETWORK_BRIDGE));
  adw_action_row_set_subtitle (self->isolated_row,
                               hangar_network_mode_describe (HANGAR_NETWORK_ISOLATED));
  adw_action_row_set_subtitle (self->none_row, hangar_network_mode_describe (HANGAR_NETWORK_NONE));
}
