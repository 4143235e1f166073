/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "hangar-machine-row.h"

struct _HangarMachineRow
{
  GtkListBoxRow parent_instance;

  HangarMachine *machine;
  GSignalGroup *machine_signals;

  GtkImage *state_icon;
  GtkLabel *name_label;
  GtkLabel *detail_label;
};

G_DEFINE_FINAL_TYPE (HangarMachineRow, hangar_machine_row, GTK_TYPE_LIST_BOX_ROW)

static const char *
state_icon_name (HangarMachineState state)
{
  switch (state)
    {
      case HANGAR_MACHINE_STATE_RUNNING:
      case HANGAR_MACHINE_STATE_SHUTTING_DOWN:
        return "media-playback-start-symbolic";
      case HANGAR_MACHINE_STATE_PAUSED:
        return "media-playback-pause-symbolic";
      case HANGAR_MACHINE_STATE_CRASHED:
        return "dialog-error-symbolic";
      case HANGAR_MACHINE_STATE_STOPPED:
      default:
        return "media-playback-stop-symbolic";
    }
}

/* "Running · 12% CPU · 512 MiB": the state, and what the machine uses now. */
static void
update (HangarMachineRow *self)
{
  HangarMachineState state = hangar_machine_get_state (self->machine);
  const char *state_label = hangar_machine_state_to_string (state);
  double history[HANGAR_METRIC_HISTORY];
  g_autofree char *detail = NULL;

  gtk_image_set_from_icon_name (self->state_icon, state_icon_name (state));
  if (state == HANGAR_MACHINE_STATE_RUNNING &&
      hangar_machine_get_history (self->machine, HANGAR_METRIC_CPU, history) > 0)
    {
      double cpu = hangar_machine_get_metric (self->machine, HANGAR_METRIC_CPU);
      double memory = hangar_machine_get_metric (self->machine, HANGAR_METRIC_MEMORY);

      /* Translators: machine state, processor use and memory in use, e.g.
       * "Running · 12% CPU · 512 MiB" */
      detail = g_strdup_printf (_ ("%s · %.0f%% CPU · %.0f MiB"), state_label, cpu, memory);
    }
  gtk_label_set_label (self->detail_label, detail != NULL ? detail : state_label);
}

/* The tooltip repeats the detail line, which an ellipsis may cut. It is
 * given when asked for: gtk_widget_set_tooltip_text () makes GTK 4.8 query
 * the pointer from the X server, a round trip for every row at start and
 * for every running machine at every statistics refresh. */
static gboolean
on_query_tooltip (HangarMachineRow *self, int x, int y, gboolean keyboard, GtkTooltip *tooltip)
{
  gtk_tooltip_set_text (tooltip, gtk_label_get_label (self->detail_label));
  return TRUE;
}

static void
hangar_machine_row_dispose (GObject *object)
{
  HangarMachineRow *self = HANGAR_MACHINE_ROW (object);

  g_clear_object (&self->machine_signals);
  g_clear_object (&self->machine);
  gtk_widget_dispose_template (GTK_WIDGET (self), HANGAR_TYPE_MACHINE_ROW);

  G_OBJECT_CLASS (hangar_machine_row_parent_class)->dispose (object);
}

static void
hangar_machine_row_class_init (HangarMachineRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hangar_machine_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hangar/Hangar/hangar-machine-row.ui");
  gtk_widget_class_bind_template_child (widget_class, HangarMachineRow, state_icon);
  gtk_widget_class_bind_template_child (widget_class, HangarMachineRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, HangarMachineRow, detail_label);
}

static void
hangar_machine_row_init (HangarMachineRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), NULL);

  self->machine_signals = g_signal_group_new (HANGAR_TYPE_MACHINE);
  g_signal_group_connect_swapped (self->machine_signals, "notify::state", G_CALLBACK (update),
                                  self);
  g_signal_group_connect_swapped (self->machine_signals, "metrics-updated", G_CALLBACK (update),
                                  self);
}

GtkWidget *
hangar_machine_row_new (HangarMachine *machine)
{
  HangarMachineRow *self = g_object_new (HANGAR_TYPE_MACHINE_ROW, NULL);

  self->machine = g_object_ref (machine);
  g_object_bind_property (machine, "name", self->name_label, "label", G_BINDING_SYNC_CREATE);
  g_signal_group_set_target (self->machine_signals, machine);
  update (self);
  return GTK_WIDGET (self);
}

HangarMachine *
hangar_machine_row_get_machine (HangarMachineRow *self)
{
  g_return_val_if_fail (HANGAR_IS_MACHINE_ROW (self), NULL);

  return self->machine;
}
