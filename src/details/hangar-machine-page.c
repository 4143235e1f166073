/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "hangar-module.h"
#include "hangar-graph.h"
#include "hangar-machine-page.h"
#include "hangar-toast.h"

struct _HangarMachinePage
{
  GtkBox parent_instance;

  HangarMachine *machine;
  GSignalGroup *machine_signals;
  HangarMachineSpec *draft; /* the settings being edited */
  guint host_cpus;
  guint64 host_memory_mib;
  GCancellable *cancellable;

  GPtrArray *overview_rows;
  GPtrArray *settings_rows;
  GPtrArray *graphs;
  GPtrArray *graph_values;

  AdwActionRow *os_row;
  AdwActionRow *state_row;
  AdwActionRow *cpus_row;
  AdwActionRow *memory_row;
  AdwPreferencesGroup *disks_group;
  AdwPreferencesGroup *nics_group;
  GtkBox *graphs_box;
  GtkSpinButton *cpus_spin;
  GtkSpinButton *memory_spin;
  AdwPreferencesGroup *settings_disks_group;
  AdwPreferencesGroup *settings_nics_group;
  GtkLabel *settings_message;
  AdwBin *console_bin;
  GtkWidget *console_page; /* from the console module; NULL if it failed to load */
  AdwViewStack *view_stack;
};

G_DEFINE_FINAL_TYPE (HangarMachinePage, hangar_machine_page, GTK_TYPE_BOX)

enum
{
  PROP_0,
  PROP_MACHINE,
  PROP_AUTOSTART,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const struct
{
  const char *title;
  HangarMetric first, second;
} graph_specs[] = {
  { N_ ("Processor"), HANGAR_METRIC_CPU, HANGAR_N_METRICS },
  { N_ ("Memory"), HANGAR_METRIC_MEMORY, HANGAR_N_METRICS },
  { N_ ("Disk (read, write)"), HANGAR_METRIC_DISK_READ, HANGAR_METRIC_DISK_WRITE },
  { N_ ("Network (received, sent)"), HANGAR_METRIC_NET_RECEIVE, HANGAR_METRIC_NET_TRANSMIT },
};

/* ---- What the page shows ---- */

static void
remove_rows (GPtrArray *rows)
{
  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (rows, i);
      GtkWidget *group = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP);

      adw_preferences_group_remove (ADW_PREFERENCES_GROUP (group), row);
    }
  g_ptr_array_set_size (rows, 0);
}

static GtkWidget *
add_row (GPtrArray *rows, AdwPreferencesGroup *group, const char *title, const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_group_add (group, row);
  g_ptr_array_add (rows, row);
  return row;
}

static char *
describe_disk (const HangarDiskSpec *disk)
{
  if (disk->cdrom)
    return g_strdup (_ ("CD/DVD, read-only"));
  if (disk->readonly)
    return g_strdup (_ ("Disk, read-only"));
  if (g_str_has_prefix (disk->path, "/dev/"))
    return g_strdup (_ ("A partition or disk of the host"));
  return g_strdup (_ ("Disk image file"));
}

static char *
describe_nic (const HangarNicSpec *nic)
{
  const char *mode = hangar_network_mode_describe (nic->mode);

  if (nic->source == NULL)
    return g_strdup (mode);
  /* Translators: a network mode's description, then the network or bridge it joins */
  return g_strdup_printf (_ ("%s (%s)"), mode, nic->source);
}

static void
update_overview (HangarMachinePage *self)
{
  const HangarMachineSpec *spec = hangar_machine_get_spec (self->machine);
  g_autofree char *cpus = g_strdup_printf ("%u", spec->cpus);
  g_autofree char *memory =
      g_format_size_full (spec->memory_mib * 1024 * 1024, G_FORMAT_SIZE_IEC_UNITS);

  adw_action_row_set_subtitle (self->os_row, spec->os_name != NULL ? spec->os_name
                                             : spec->os_id != NULL ? spec->os_id
                                                                   : _ ("Not known"));
  adw_action_row_set_subtitle (
      self->state_row, hangar_machine_state_to_string (hangar_machine_get_state (self->machine)));
  adw_action_row_set_subtitle (self->cpus_row, cpus);
  adw_action_row_set_subtitle (self->memory_row, memory);

  remove_rows (self->overview_rows);
  for (guint i = 0; i < spec->disks->len; i++)
    {
      const HangarDiskSpec *disk = g_ptr_array_index (spec->disks, i);
      g_autofree char *kind = describe_disk (disk);
      add_row (self->overview_rows, self->disks_group, disk->path, kind);
    }
  if (spec->disks->len == 0)
    add_row (self->overview_rows, self->disks_group, _ ("No disks"), NULL);
  for (guint i = 0; i < spec->nics->len; i++)
    {
      const HangarNicSpec *nic = g_ptr_array_index (spec->nics, i);
      g_autofree char *mode = describe_nic (nic);
      add_row (self->overview_rows, self->nics_group, mode,
               nic->mac != NULL ? nic->mac : _ ("MAC address assigned at start"));
    }
  if (spec->nics->len == 0)
    add_row (self->overview_rows, self->nics_group, _ ("No network cards"), NULL);
}

static char *
format_metric (HangarMetric metric, double value)
{
  g_autofree char *size = NULL;

  switch (metric)
    {
      case HANGAR_METRIC_CPU:
        return g_strdup_printf (_ ("%.0f%%"), value);
      case HANGAR_METRIC_MEMORY:
        return g_format_size_full ((guint64) (value * 1024 * 1024), G_FORMAT_SIZE_IEC_UNITS);
      case HANGAR_METRIC_DISK_READ:
      case HANGAR_METRIC_DISK_WRITE:
      case HANGAR_METRIC_NET_RECEIVE:
      case HANGAR_METRIC_NET_TRANSMIT:
      case HANGAR_N_METRICS:
      default:
        size = g_format_size ((guint64) value);
        /* Translators: a transfer rate, e.g. "1.2 MB/s" */
        return g_strdup_printf (_ ("%s/s"), size);
    }
}

static void
update_graph_values (HangarMachinePage *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (graph_specs); i++)
    {
      g_autofree char *first = format_metric (
          graph_specs[i].first, hangar_machine_get_metric (self->machine, graph_specs[i].first));
      g_autofree char *second = NULL;
      g_autofree char *text = NULL;

      if (graph_specs[i].second != HANGAR_N_METRICS)
        second = format_metric (graph_specs[i].second,
                                hangar_machine_get_metric (self->machine, graph_specs[i].second));
      text = second != NULL ? g_strdup_printf ("%s · %s", first, second) : g_strdup (first);
      gtk_label_set_label (g_ptr_array_index (self->graph_values, i), text);
    }
}

/* The one place that enables the machine's actions, from its state. */
static void
update_actions (HangarMachinePage *self)
{
  static const struct
  {
    const char *name;
    HangarMachineAction action;
  } map[] = {
    { "machine.start", HANGAR_MACHINE_ACTION_START },
    { "machine.pause", HANGAR_MACHINE_ACTION_PAUSE },
    { "machine.resume", HANGAR_MACHINE_ACTION_RESUME },
    { "machine.shutdown", HANGAR_MACHINE_ACTION_SHUTDOWN },
    { "machine.reboot", HANGAR_MACHINE_ACTION_REBOOT },
    { "machine.force-off", HANGAR_MACHINE_ACTION_FORCE_OFF },
    { "machine.clone", HANGAR_MACHINE_ACTION_CLONE },
    { "machine.delete", HANGAR_MACHINE_ACTION_DELETE },
    { "machine.apply-settings", HANGAR_MACHINE_ACTION_EDIT },
    { "machine.revert-settings", HANGAR_MACHINE_ACTION_EDIT },
    { "machine.add-disk", HANGAR_MACHINE_ACTION_EDIT },
    { "machine.remove-disk", HANGAR_MACHINE_ACTION_EDIT },
    { "machine.add-nic", HANGAR_MACHINE_ACTION_EDIT },
    { "machine.remove-nic", HANGAR_MACHINE_ACTION_EDIT },
  };
  gboolean editable;

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), map[i].name,
                                   self->machine != NULL &&
                                       hangar_machine_can (self->machine, map[i].action));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "machine.autostart", self->machine != NULL);

  editable =
      self->machine != NULL && hangar_machine_can (self->machine, HANGAR_MACHINE_ACTION_EDIT);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cpus_spin), editable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->memory_spin), editable);
  gtk_label_set_label (self->settings_message,
                       editable ? ""
                                : _ ("Shut the machine down to change its settings: a running "
                                     "machine’s hardware cannot change under it."));
}

/* ---- Settings ---- */

static void show_draft (HangarMachinePage *self);

static void
on_nic_source_changed (GtkEditable *entry, HangarMachinePage *self)
{
  HangarNicSpec *nic = g_object_get_data (G_OBJECT (entry), "nic");
  const char *text = gtk_editable_get_text (entry);

  g_free (nic->source);
  nic->source = *text != '\0' ? g_strdup (text) : NULL;
}

static GtkWidget *
remove_button (const char *action, guint index, const char *tooltip)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("list-remove-symbolic");

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "u", index);
  return button;
}

static void
show_draft_nics (HangarMachinePage *self)
{
  for (guint i = 0; i < self->draft->nics->len; i++)
    {
      HangarNicSpec *nic = g_ptr_array_index (self->draft->nics, i);
      GtkWidget *row = adw_entry_row_new ();
      g_autofree char *title = g_strdup_printf ("%s · %s", hangar_network_mode_describe (nic->mode),
                                                nic->mac != NULL ? nic->mac : _ ("new"));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      gtk_editable_set_text (GTK_EDITABLE (row), nic->source != NULL ? nic->source : "");
      g_object_set_data (G_OBJECT (row), "nic", nic);
      g_signal_connect (row, "changed", G_CALLBACK (on_nic_source_changed), self);
      adw_entry_row_add_suffix (
          ADW_ENTRY_ROW (row),
          remove_button ("machine.remove-nic", i, _ ("Remove this network card")));
      adw_preferences_group_add (self->settings_nics_group, row);
      g_ptr_array_add (self->settings_rows, row);
    }
}

static void
show_draft (HangarMachinePage *self)
{
  remove_rows (self->settings_rows);
  gtk_spin_button_set_value (self->cpus_spin, self->draft->cpus);
  gtk_spin_button_set_value (self->memory_spin, self->draft->memory_mib);

  for (guint i = 0; i < self->draft->disks->len; i++)
    {
      const HangarDiskSpec *disk = g_ptr_array_index (self->draft->disks, i);
      g_autofree char *kind = describe_disk (disk);
      GtkWidget *row = add_row (self->settings_rows, self->settings_disks_group, disk->path, kind);

      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 remove_button ("machine.remove-disk", i, _ ("Detach this disk")));
    }
  show_draft_nics (self);
}

static void
reset_draft (HangarMachinePage *self)
{
  g_clear_pointer (&self->draft, hangar_machine_spec_free);
  if (self->machine == NULL)
    return;
  self->draft = hangar_machine_spec_copy (hangar_machine_get_spec (self->machine));
  show_draft (self);
}

static void
update_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (HangarMachinePage) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!hangar_machine_update_finish (HANGAR_MACHINE (source), result, &error))
    {
      gtk_label_set_label (self->settings_message, error->message);
      hangar_toast_show_error (GTK_WIDGET (self), error);
      return;
    }
  gtk_label_set_label (self->settings_message, _ ("The new settings apply from the next start."));
}

static void
apply_settings (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  HangarMachinePage *self = HANGAR_MACHINE_PAGE (widget);
  g_autoptr (GError) error = NULL;

  self->draft->cpus = gtk_spin_button_get_value_as_int (self->cpus_spin);
  self->draft->memory_mib = gtk_spin_button_get_value_as_int (self->memory_spin);
  if (!hangar_machine_spec_validate (self->draft, self->host_cpus, self->host_memory_mib, &error))
    {
      gtk_label_set_label (self->settings_message, error->message);
      return;
    }
  hangar_machine_update_async (self->machine, self->draft, self->cancellable, update_done,
                               g_object_ref (self));
}

static void
revert_settings (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  reset_draft (HANGAR_MACHINE_PAGE (widget));
}

static void
remove_disk (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  HangarMachinePage *self = HANGAR_MACHINE_PAGE (widget);
  guint index = g_variant_get_uint32 (parameter);

  if (index < self->draft->disks->len)
    g_ptr_array_remove_index (self->draft->disks, index);
  show_draft (self);
}

static void
remove_nic (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  HangarMachinePage *self = HANGAR_MACHINE_PAGE (widget);
  guint index = g_variant_get_uint32 (parameter);

  if (index < self->draft->nics->len)
    g_ptr_array_remove_index (self->draft->nics, index);
  show_draft (self);
}

static void
add_nic (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  HangarMachinePage *self = HANGAR_MACHINE_PAGE (widget);
  HangarNetworkMode mode;

  if (!hangar_network_mode_from_string (g_variant_get_string (parameter, NULL), &mode))
    return;
  hangar_machine_spec_add_nic (self->draft, mode, NULL, NULL);
  show_draft (self);
}

static void
on_disk_chosen (GtkNativeDialog *dialog, int response, HangarMachinePage *self)
{
  if (response == GTK_RESPONSE_ACCEPT && self->draft != NULL)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      gboolean iso = g_str_has_suffix (path, ".iso");

      hangar_machine_spec_add_disk (self->draft, path, 0, iso, iso);
      show_draft (self);
    }
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
add_disk (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  HangarMachinePage *self = HANGAR_MACHINE_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *dialog;

  dialog =
      gtk_file_chooser_native_new (_ ("Choose a Disk Image or CD/DVD Image"), GTK_WINDOW (root),
                                   GTK_FILE_CHOOSER_ACTION_OPEN, _ ("_Attach"), _ ("_Cancel"));
  g_signal_connect (dialog, "response", G_CALLBACK (on_disk_chosen), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* ---- Lifecycle ---- */

static void
action_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (HangarMachinePage) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!hangar_machine_run_action_finish (HANGAR_MACHINE (source), result, &error))
    hangar_toast_show_error (GTK_WIDGET (self), error);
}

static void
run_lifecycle_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  static const struct
  {
    const char *name;
    HangarMachineAction action;
  } map[] = {
    { "machine.start", HANGAR_MACHINE_ACTION_START },
    { "machine.pause", HANGAR_MACHINE_ACTION_PAUSE },
    { "machine.resume", HANGAR_MACHINE_ACTION_RESUME },
    { "machine.shutdown", HANGAR_MACHINE_ACTION_SHUTDOWN },
    { "machine.reboot", HANGAR_MACHINE_ACTION_REBOOT },
    { "machine.force-off", HANGAR_MACHINE_ACTION_FORCE_OFF },
  };
  HangarMachinePage *self = HANGAR_MACHINE_PAGE (widget);

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    {
      if (g_str_equal (map[i].name, action_name))
        hangar_machine_run_action_async (self->machine, map[i].action, self->cancellable,
                                         action_done, g_object_ref (self));
    }
}

/* A confirmation with a Cancel and one RESPONSE, the given EXTRA widget (kept
 * as the dialog's data "extra"), answered through ON_RESPONSE. */
static void
present_confirmation (HangarMachinePage *self, const char *heading, const char *body,
                      GtkWidget *extra, const char *response, const char *label,
                      AdwResponseAppearance appearance, GCallback on_response)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (
      adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), heading, body));

  adw_message_dialog_set_extra_child (dialog, extra);
  g_object_set_data (G_OBJECT (dialog), "extra", extra);
  adw_message_dialog_add_responses (dialog, "cancel", _ ("_Cancel"), response, label, NULL);
  adw_message_dialog_set_response_appearance (dialog, response, appearance);
  adw_message_dialog_set_default_response (
      dialog, appearance == ADW_RESPONSE_DESTRUCTIVE ? "cancel" : response);
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", on_response, self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
delete_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (HangarMachinePage) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!hangar_machine_delete_finish (HANGAR_MACHINE (source), result, &error))
    hangar_toast_show_error (GTK_WIDGET (self), error);
}

static void
on_delete_response (AdwMessageDialog *dialog, const char *response, HangarMachinePage *self)
{
  GtkCheckButton *with_disks = g_object_get_data (G_OBJECT (dialog), "extra");

  if (g_str_equal (response, "delete") && self->machine != NULL)
    hangar_machine_delete_async (self->machine, gtk_check_button_get_active (with_disks),
                                 self->cancellable, delete_done, g_object_ref (self));
}

static void
delete_machine (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  HangarMachinePage *self = HANGAR_MACHINE_PAGE (widget);
  g_autofree char *heading =
      g_strdup_printf (_ ("Delete “%s”?"), hangar_machine_get_name (self->machine));

  present_confirmation (self, heading, _ ("The machine and its settings are deleted for good."),
                        gtk_check_button_new_with_mnemonic (_ ("Also delete its _disks")), "delete",
                        _ ("_Delete"), ADW_RESPONSE_DESTRUCTIVE, G_CALLBACK (on_delete_response));
}

static void
clone_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (HangarMachinePage) self = user_data;
  g_autoptr (HangarMachine) clone = NULL;
  g_autoptr (GError) error = NULL;

  clone = hangar_machine_clone_finish (HANGAR_MACHINE (source), result, &error);
  if (clone == NULL)
    hangar_toast_show_error (GTK_WIDGET (self), error);
}

static void
on_clone_response (AdwMessageDialog *dialog, const char *response, HangarMachinePage *self)
{
  GtkEditable *name = g_object_get_data (G_OBJECT (dialog), "extra");

  if (g_str_equal (response, "clone") && self->machine != NULL)
    hangar_machine_clone_async (self->machine, gtk_editable_get_text (name), self->cancellable,
                                clone_done, g_object_ref (self));
}

static void
clone_machine (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  HangarMachinePage *self = HANGAR_MACHINE_PAGE (widget);
  g_autofree char *heading =
      g_strdup_printf (_ ("Clone “%s”"), hangar_machine_get_name (self->machine));
  g_autofree char *suggested =
      g_strdup_printf ("%s-clone", hangar_machine_get_name (self->machine));
  GtkWidget *entry = gtk_entry_new ();

  gtk_editable_set_text (GTK_EDITABLE (entry), suggested);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  present_confirmation (self, heading,
                        _ ("The clone gets copies of the machine’s disks and new network "
                           "addresses, so both can run at once."),
                        entry, "clone", _ ("C_lone"), ADW_RESPONSE_SUGGESTED,
                        G_CALLBACK (on_clone_response));
}

static void
autostart_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (HangarMachinePage) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!hangar_machine_set_autostart_finish (HANGAR_MACHINE (source), result, &error))
    hangar_toast_show_error (GTK_WIDGET (self), error);
}

/* ---- Following the machine ---- */

static void
on_machine_changed (HangarMachinePage *self)
{
  update_overview (self);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTOSTART]);
}

static void
on_state_changed (HangarMachinePage *self)
{
  on_machine_changed (self);
  /* Settings edited while the machine ran are kept; a machine that just
   * stopped shows its latest settings. */
  if (hangar_machine_can (self->machine, HANGAR_MACHINE_ACTION_EDIT))
    reset_draft (self);
}

void
hangar_machine_page_set_machine (HangarMachinePage *self, HangarMachine *machine)
{
  g_return_if_fail (HANGAR_IS_MACHINE_PAGE (self));

  if (self->machine == machine)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_set_object (&self->machine, machine);
  g_signal_group_set_target (self->machine_signals, machine);
  for (guint i = 0; i < self->graphs->len; i++)
    hangar_graph_set_machine (g_ptr_array_index (self->graphs, i), machine);
  if (self->console_page != NULL)
    g_object_set (self->console_page, "machine", machine, NULL);

  if (machine != NULL)
    {
      on_machine_changed (self);
      update_graph_values (self);
      reset_draft (self);
    }
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MACHINE]);
}

HangarMachine *
hangar_machine_page_get_machine (HangarMachinePage *self)
{
  g_return_val_if_fail (HANGAR_IS_MACHINE_PAGE (self), NULL);

  return self->machine;
}

void
hangar_machine_page_show_console (HangarMachinePage *self)
{
  g_return_if_fail (HANGAR_IS_MACHINE_PAGE (self));

  adw_view_stack_set_visible_child_name (self->view_stack, "console");
}

void
hangar_machine_page_set_host_limits (HangarMachinePage *self, guint cpus, guint64 memory_mib)
{
  g_return_if_fail (HANGAR_IS_MACHINE_PAGE (self));

  self->host_cpus = cpus;
  self->host_memory_mib = memory_mib;
}

/* ---- GObject ---- */

static void
build_graphs (HangarMachinePage *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (graph_specs); i++)
    {
      GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *title = gtk_label_new (_ (graph_specs[i].title));
      GtkWidget *value = gtk_label_new (NULL);
      GtkWidget *graph = hangar_graph_new (graph_specs[i].first, graph_specs[i].second);

      gtk_widget_add_css_class (title, "heading");
      gtk_widget_set_hexpand (title, TRUE);
      gtk_label_set_xalign (GTK_LABEL (title), 0);
      gtk_widget_add_css_class (value, "numeric");
      gtk_widget_set_margin_top (header, 12);
      gtk_box_append (GTK_BOX (header), title);
      gtk_box_append (GTK_BOX (header), value);
      gtk_widget_add_css_class (graph, "card");
      gtk_box_append (self->graphs_box, header);
      gtk_box_append (self->graphs_box, graph);
      g_ptr_array_add (self->graphs, graph);
      g_ptr_array_add (self->graph_values, value);
    }
}

static void
hangar_machine_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  HangarMachinePage *self = HANGAR_MACHINE_PAGE (object);

  switch (prop_id)
    {
      case PROP_MACHINE:
        g_value_set_object (value, self->machine);
        break;
      case PROP_AUTOSTART:
        g_value_set_boolean (value,
                             self->machine != NULL && hangar_machine_get_autostart (self->machine));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hangar_machine_page_set_property (GObject *object, guint prop_id, const GValue *value,
                                  GParamSpec *pspec)
{
  HangarMachinePage *self = HANGAR_MACHINE_PAGE (object);

  switch (prop_id)
    {
      case PROP_MACHINE:
        hangar_machine_page_set_machine (self, g_value_get_object (value));
        break;
      case PROP_AUTOSTART:
        if (self->machine != NULL &&
            g_value_get_boolean (value) != hangar_machine_get_autostart (self->machine))
          hangar_machine_set_autostart_async (self->machine, g_value_get_boolean (value),
                                              self->cancellable, autostart_done,
                                              g_object_ref (self));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hangar_machine_page_dispose (GObject *object)
{
  HangarMachinePage *self = HANGAR_MACHINE_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->machine_signals);
  g_clear_object (&self->machine);
  g_clear_pointer (&self->draft, hangar_machine_spec_free);
  g_clear_pointer (&self->overview_rows, g_ptr_array_unref);
  g_clear_pointer (&self->settings_rows, g_ptr_array_unref);
  g_clear_pointer (&self->graphs, g_ptr_array_unref);
  g_clear_pointer (&self->graph_values, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), HANGAR_TYPE_MACHINE_PAGE);

  G_OBJECT_CLASS (hangar_machine_page_parent_class)->dispose (object);
}

static void
hangar_machine_page_class_init (HangarMachinePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  static const char *lifecycle[] = { "machine.start",    "machine.pause",  "machine.resume",
                                     "machine.shutdown", "machine.reboot", "machine.force-off" };

  object_class->dispose = hangar_machine_page_dispose;
  object_class->get_property = hangar_machine_page_get_property;
  object_class->set_property = hangar_machine_page_set_property;

  properties[PROP_MACHINE] =
      g_param_spec_object ("machine", NULL, NULL, HANGAR_TYPE_MACHINE,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AUTOSTART] =
      g_param_spec_boolean ("autostart", NULL, NULL, FALSE,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hangar/Hangar/hangar-machine-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HangarMachinePage, os_row);
  gtk_widget_class_bind_template_child (widget_class, HangarMachinePage, console_bin);
  gtk_widget_class_bind_template_child (widget_class, HangarMachinePage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, HangarMachinePage, state_row);
  gtk_widget_class_bind_template_child (widget_class, HangarMachinePage, cpus_row);
  gtk_widget_class_bind_template_child (widget_class, HangarMachinePage, memory_row);
  gtk_widget_class_bind_template_child (widget_class, HangarMachinePage, disks_group);
  gtk_widget_class_bind_template_child (widget_class, HangarMachinePage, nics_group);
  gtk_widget_class_bind_template_child (widget_class, HangarMachinePage, graphs_box);
  gtk_widget_class_bind_template_child (widget_class, HangarMachinePage, cpus_spin);
  gtk_widget_class_bind_template_child (widget_class, HangarMachinePage, memory_spin);
  gtk_widget_class_bind_template_child (widget_class, HangarMachinePage, settings_disks_group);
  gtk_widget_class_bind_template_child (widget_class, HangarMachinePage, settings_nics_group);
  gtk_widget_class_bind_template_child (widget_class, HangarMachinePage, settings_message);

  for (guint i = 0; i < G_N_ELEMENTS (lifecycle); i++)
    gtk_widget_class_install_action (widget_class, lifecycle[i], NULL, run_lifecycle_action);
  gtk_widget_class_install_action (widget_class, "machine.clone", NULL, clone_machine);
  gtk_widget_class_install_action (widget_class, "machine.delete", NULL, delete_machine);
  gtk_widget_class_install_property_action (widget_class, "machine.autostart", "autostart");
  gtk_widget_class_install_action (widget_class, "machine.apply-settings", NULL, apply_settings);
  gtk_widget_class_install_action (widget_class, "machine.revert-settings", NULL, revert_settings);
  gtk_widget_class_install_action (widget_class, "machine.add-disk", NULL, add_disk);
  gtk_widget_class_install_action (widget_class, "machine.remove-disk", "u", remove_disk);
  gtk_widget_class_install_action (widget_class, "machine.add-nic", "s", add_nic);
  gtk_widget_class_install_action (widget_class, "machine.remove-nic", "u", remove_nic);
}

/* The consoles bring SPICE, GStreamer and VTE: a module, loaded here, when a
 * machine is first shown. */
static void
add_console_page (HangarMachinePage *self)
{
  g_autoptr (GError) error = NULL;
  GType type =
      hangar_module_get_type (HANGAR_MODULE_CONSOLE, "hangar_console_page_get_type", &error);
  GtkWidget *failure;

  if (type != 0)
    {
      self->console_page = g_object_new (type, NULL);
      adw_bin_set_child (self->console_bin, self->console_page);
      return;
    }
  failure = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (failure), "dialog-error-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (failure), _ ("The Console Cannot Be Shown"));
  adw_status_page_set_description (ADW_STATUS_PAGE (failure), error->message);
  adw_bin_set_child (self->console_bin, failure);
}

static void
hangar_machine_page_init (HangarMachinePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  add_console_page (self);

  self->overview_rows = g_ptr_array_new ();
  self->settings_rows = g_ptr_array_new ();
  self->graphs = g_ptr_array_new ();
  self->graph_values = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
  build_graphs (self);

  self->machine_signals = g_signal_group_new (HANGAR_TYPE_MACHINE);
  g_signal_group_connect_swapped (self->machine_signals, "notify::state",
                                  G_CALLBACK (on_state_changed), self);
  g_signal_group_connect_swapped (self->machine_signals, "notify::cpus",
                                  G_CALLBACK (on_machine_changed), self);
  g_signal_group_connect_swapped (self->machine_signals, "notify::autostart",
                                  G_CALLBACK (on_machine_changed), self);
  g_signal_group_connect_swapped (self->machine_signals, "metrics-updated",
                                  G_CALLBACK (update_graph_values), self);
  update_actions (self);
}

GtkWidget *
hangar_machine_page_new (void)
{
  return g_object_new (HANGAR_TYPE_MACHINE_PAGE, NULL);
}
