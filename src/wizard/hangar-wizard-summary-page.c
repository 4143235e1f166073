/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "hangar-wizard-summary-page.h"

struct _HangarWizardSummaryPage
{
  AdwBin parent_instance;

  AdwEntryRow *name_row;
  AdwActionRow *connection_row;
  AdwActionRow *os_row;
  AdwActionRow *source_row;
  AdwActionRow *cpus_row;
  AdwActionRow *memory_row;
  AdwActionRow *disks_row;
  AdwActionRow *network_row;
  GtkSwitch *customize_switch;
  GtkExpander *xml_expander;
  GtkTextView *xml_view;
  GtkLabel *problem_label;
};

G_DEFINE_FINAL_TYPE (HangarWizardSummaryPage, hangar_wizard_summary_page, ADW_TYPE_BIN)

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_changed (HangarWizardSummaryPage *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static char *
describe_disk (const HangarDiskSpec *disk)
{
  g_autofree char *size = NULL;

  if (disk->cdrom)
    return g_strdup_printf (_ ("%s (CD-ROM, read-only)"), disk->path);
  if (disk->create)
    {
      size = g_format_size_full (disk->size_bytes, G_FORMAT_SIZE_IEC_UNITS);
      return g_strdup_printf (_ ("%s (new, %s)"), disk->path, size);
    }
  return g_strdup (disk->path);
}

static char *
describe_disks (const HangarMachineSpec *spec)
{
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);

  if (spec->kernel != NULL)
    g_ptr_array_add (lines, g_strdup_printf (_ ("Kernel %s"), spec->kernel));
  for (guint i = 0; i < spec->disks->len; i++)
    g_ptr_array_add (lines, describe_disk (g_ptr_array_index (spec->disks, i)));
  if (lines->len == 0)
    return g_strdup (_ ("None"));
  g_ptr_array_add (lines, NULL);
  return g_strjoinv ("\n", (char **) lines->pdata);
}

static char *
describe_network (const HangarMachineSpec *spec)
{
  const HangarNicSpec *nic;

  if (spec->nics->len == 0)
    return g_strdup (hangar_network_mode_describe (HANGAR_NETWORK_NONE));
  nic = g_ptr_array_index (spec->nics, 0);
  if (nic->source == NULL)
    return g_strdup (hangar_network_mode_describe (nic->mode));
  return g_strdup_printf ("%s (%s)", hangar_network_mode_describe (nic->mode), nic->source);
}

void
hangar_wizard_summary_page_show (HangarWizardSummaryPage *self, const HangarMachineSpec *spec,
                                 const char *connection, const char *source, const char *xml,
                                 const char *problem)
{
  g_autofree char *cpus = g_strdup_printf ("%u", spec->cpus);
  g_autofree char *memory = g_strdup_printf ("%" G_GUINT64_FORMAT " MiB", spec->memory_mib);
  g_autofree char *disks = describe_disks (spec);
  g_autofree char *network = describe_network (spec);

  g_return_if_fail (HANGAR_IS_WIZARD_SUMMARY_PAGE (self));

  adw_action_row_set_subtitle (self->connection_row, connection);
  adw_action_row_set_subtitle (self->os_row, spec->os_name != NULL ? spec->os_name : _ ("Unknown"));
  adw_action_row_set_subtitle (self->source_row, source);
  adw_action_row_set_subtitle (self->cpus_row, cpus);
  adw_action_row_set_subtitle (self->memory_row, memory);
  adw_action_row_set_subtitle (self->disks_row, disks);
  adw_action_row_set_subtitle (self->network_row, network);
  gtk_widget_set_visible (GTK_WIDGET (self->xml_expander), xml != NULL);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->xml_view), xml != NULL ? xml : "", -1);
  gtk_label_set_text (self->problem_label, problem);
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), problem != NULL);
}

const char *
hangar_wizard_summary_page_get_name (HangarWizardSummaryPage *self)
{
  return gtk_editable_get_text (GTK_EDITABLE (self->name_row));
}

void
hangar_wizard_summary_page_set_name (HangarWizardSummaryPage *self, const char *name)
{
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
}

gboolean
hangar_wizard_summary_page_get_customize (HangarWizardSummaryPage *self)
{
  return gtk_switch_get_active (self->customize_switch);
}

static void
hangar_wizard_summary_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), HANGAR_TYPE_WIZARD_SUMMARY_PAGE);

  G_OBJECT_CLASS (hangar_wizard_summary_page_parent_class)->dispose (object);
}

static void
hangar_wizard_summary_page_class_init (HangarWizardSummaryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hangar_wizard_summary_page_dispose;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                   NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (
      widget_class, "/io/github/hangar/Hangar/hangar-wizard-summary-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HangarWizardSummaryPage, name_row);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardSummaryPage, connection_row);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardSummaryPage, os_row);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardSummaryPage, source_row);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardSummaryPage, cpus_row);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardSummaryPage, memory_row);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardSummaryPage, disks_row);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardSummaryPage, network_row);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardSummaryPage, customize_switch);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardSummaryPage, xml_expander);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardSummaryPage, xml_view);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardSummaryPage, problem_label);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
}

static void
hangar_wizard_summary_page_init (HangarWizardSummaryPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
