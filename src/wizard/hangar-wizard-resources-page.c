/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "hangar-host.h"
#include "hangar-wizard-resources-page.h"

#define DEFAULT_MAX_CPUS   64
#define DEFAULT_MAX_MEMORY (1024 * 1024)

struct _HangarWizardResourcesPage
{
  AdwBin parent_instance;

  guint host_cpus;
  guint64 host_memory_mib;
  guint running_cpus;
  guint64 running_memory_mib;
  char *os_name;
  guint recommended_cpus;
  guint64 recommended_memory_mib;

  AdwActionRow *cpus_row;
  GtkSpinButton *cpus_spin;
  AdwActionRow *memory_row;
  GtkSpinButton *memory_spin;
  AdwActionRow *warning_row;
};

G_DEFINE_FINAL_TYPE (HangarWizardResourcesPage, hangar_wizard_resources_page, ADW_TYPE_BIN)

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
update_subtitles (HangarWizardResourcesPage *self)
{
  g_autofree char *cpus = NULL;
  g_autofree char *memory = NULL;

  if (self->host_cpus > 0)
    cpus = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "The host has %u processor",
                                         "The host has %u processors", self->host_cpus),
                            self->host_cpus);
  if (self->os_name != NULL && self->recommended_memory_mib > 0)
    memory = g_strdup_printf (_ ("The host has %llu MiB; %s recommends %llu MiB"),
                              (unsigned long long) self->host_memory_mib, self->os_name,
                              (unsigned long long) self->recommended_memory_mib);
  else if (self->host_memory_mib > 0)
    memory =
        g_strdup_printf (_ ("The host has %llu MiB"), (unsigned long long) self->host_memory_mib);
  adw_action_row_set_subtitle (self->cpus_row, cpus);
  adw_action_row_set_subtitle (self->memory_row, memory);
}

static void
on_value_changed (HangarWizardResourcesPage *self)
{
  g_autofree char *warning = hangar_host_describe_overcommit (
      self->host_cpus, self->host_memory_mib, self->running_cpus, self->running_memory_mib,
      hangar_wizard_resources_page_get_cpus (self),
      hangar_wizard_resources_page_get_memory_mib (self));

  gtk_widget_set_visible (GTK_WIDGET (self->warning_row), warning != NULL);
  adw_action_row_set_subtitle (self->warning_row, warning);
  g_signal_emit (self, signals[CHANGED], 0);
}

void
hangar_wizard_resources_page_set_host (HangarWizardResourcesPage *self, guint host_cpus,
                                       guint64 host_memory_mib, guint running_cpus,
                                       guint64 running_memory_mib)
{
  g_return_if_fail (HANGAR_IS_WIZARD_RESOURCES_PAGE (self));

  self->host_cpus = host_cpus;
  self->host_memory_mib = host_memory_mib;
  self->running_cpus = running_cpus;
  self->running_memory_mib = running_memory_mib;
  gtk_spin_button_set_range (self->cpus_spin, 1, host_cpus > 0 ? host_cpus : DEFAULT_MAX_CPUS);
  gtk_spin_button_set_range (self->memory_spin, 64,
                             host_memory_mib > 0 ? host_memory_mib : DEFAULT_MAX_MEMORY);
  update_subtitles (self);
  on_value_changed (self);
}

void
hangar_wizard_resources_page_set_recommended (HangarWizardResourcesPage *self, const char *os_name,
                                              guint cpus, guint64 memory_mib)
{
  g_return_if_fail (HANGAR_IS_WIZARD_RESOURCES_PAGE (self));

  g_free (self->os_name);
  self->os_name = g_strdup (os_name);
  self->recommended_cpus = cpus;
  self->recommended_memory_mib = memory_mib;
  hangar_wizard_resources_page_set_values (self, cpus > 0 ? cpus : 1,
                                           memory_mib > 0 ? memory_mib : 1024);
  update_subtitles (self);
}

void
hangar_wizard_resources_page_set_values (HangarWizardResourcesPage *self, guint cpus,
                                         guint64 memory_mib)
{
  gtk_spin_button_set_value (self->cpus_spin, cpus);
  gtk_spin_button_set_value (self->memory_spin, memory_mib);
}

guint
hangar_wizard_resources_page_get_cpus (HangarWizardResourcesPage *self)
{
  return gtk_spin_button_get_value_as_int (self->cpus_spin);
}

guint64
hangar_wizard_resources_page_get_memory_mib (HangarWizardResourcesPage *self)
{
  return gtk_spin_button_get_value_as_int (self->memory_spin);
}

static void
hangar_wizard_resources_page_dispose (GObject *object)
{
  HangarWizardResourcesPage *self = HANGAR_WIZARD_RESOURCES_PAGE (object);

  g_clear_pointer (&self->os_name, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), HANGAR_TYPE_WIZARD_RESOURCES_PAGE);

  G_OBJECT_CLASS (hangar_wizard_resources_page_parent_class)->dispose (object);
}

static void
hangar_wizard_resources_page_class_init (HangarWizardResourcesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hangar_wizard_resources_page_dispose;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                   NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (
      widget_class, "/io/github/hangar/Hangar/hangar-wizard-resources-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HangarWizardResourcesPage, cpus_row);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardResourcesPage, cpus_spin);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardResourcesPage, memory_row);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardResourcesPage, memory_spin);
  gtk_widget_class_bind_template_child (widget_class, HangarWizardResourcesPage, warning_row);
  gtk_widget_class_bind_template_callback (widget_class, on_value_changed);
}

static void
hangar_wizard_resources_page_init (HangarWizardResourcesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
