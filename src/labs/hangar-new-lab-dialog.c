/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "hangar-host.h"
#include "hangar-new-lab-dialog.h"

struct _HangarNewLabDialog
{
  AdwWindow parent_instance;

  HangarEmbeddedConnection *connection;
  GtkStringList *templates;
  gboolean prefix_edited; /* by hand: no longer follows the name */
  gboolean setting_prefix;
  GCancellable *creating; /* while the lab is made */
  gboolean close_when_done;

  AdwEntryRow *name_row;
  AdwComboRow *template_row;
  GtkSpinButton *count_spin;
  AdwEntryRow *prefix_row;
  GtkCheckButton *nat_check;
  GtkCheckButton *isolated_check;
  GtkLabel *summary_label;
  GtkLabel *error_label;
  GtkStack *stack;
  GtkLabel *progress_label;
  GtkProgressBar *progress_bar;
};

G_DEFINE_FINAL_TYPE (HangarNewLabDialog, hangar_new_lab_dialog, ADW_TYPE_WINDOW)

enum
{
  LAB_CREATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- The form ---- */

static const char *
chosen_template (HangarNewLabDialog *self)
{
  guint position = adw_combo_row_get_selected (self->template_row);

  if (position == GTK_INVALID_LIST_POSITION)
    return NULL;
  return gtk_string_list_get_string (self->templates, position);
}

static HvLabConfig *
config_from_form (HangarNewLabDialog *self)
{
  const char *prefix = gtk_editable_get_text (GTK_EDITABLE (self->prefix_row));
  HvLabConfig *config = hv_lab_config_new (
      gtk_editable_get_text (GTK_EDITABLE (self->name_row)), chosen_template (self),
      (guint) gtk_spin_button_get_value_as_int (self->count_spin),
      gtk_check_button_get_active (self->isolated_check) ? HV_NETWORK_MODE_ISOLATED
                                                         : HV_NETWORK_MODE_NAT);

  if (*prefix != '\0')
    config->prefix = g_strdup (prefix);
  return config;
}

static void
show_error (HangarNewLabDialog *self, const char *message)
{
  gtk_label_set_label (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

/* "10 members need 5 GiB of memory and 10 processors when all run; this
 * computer has 8 GiB and 4." */
static void
update_summary (HangarNewLabDialog *self, guint count)
{
  const char *template_name = chosen_template (self);
  HangarMachine *template =
      template_name != NULL
          ? hangar_connection_find_machine (HANGAR_CONNECTION (self->connection), template_name)
          : NULL;
  const HangarMachineSpec *spec;
  g_autofree char *memory = NULL;
  g_autofree char *host_memory = NULL;
  g_autofree char *summary = NULL;

  if (template == NULL)
    {
      gtk_label_set_label (self->summary_label, NULL);
      return;
    }
  spec = hangar_machine_get_spec (template);
  memory = g_format_size_full ((spec->memory_mib * count) << 20, G_FORMAT_SIZE_IEC_UNITS);
  host_memory =
      g_format_size_full (hangar_host_memory_mib ("/proc/meminfo") << 20, G_FORMAT_SIZE_IEC_UNITS);
  summary = g_strdup_printf (
      g_dngettext (GETTEXT_PACKAGE,
                   "When it runs, the %u member needs %s of memory and %u processors; this "
                   "computer has %s and %u processors.",
                   "When all run, the %u members need %s of memory and %u processors; this "
                   "computer has %s and %u processors.",
                   count),
      count, memory, spec->cpus * count, host_memory, hangar_host_count_cpus ("/proc/cpuinfo"));
  gtk_label_set_label (self->summary_label, summary);
}

static void
update_form (HangarNewLabDialog *self)
{
  g_autoptr (HvLabConfig) config = NULL;
  g_autoptr (GError) error = NULL;
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  gboolean valid;

  if (self->connection == NULL)
    return;
  update_summary (self, (guint) gtk_spin_button_get_value_as_int (self->count_spin));
  if (chosen_template (self) == NULL)
    {
      show_error (self, _ ("Make a machine on This Computer first: every member of a lab is a "
                           "copy of it."));
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "new-lab.create", FALSE);
      return;
    }
  config = config_from_form (self);
  valid = *name != '\0' && hv_lab_config_validate (config, &error);
  if (valid && hangar_embedded_connection_find_lab (self->connection, name) != NULL)
    {
      valid = FALSE;
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _ ("There is a lab named “%s” already. Choose another name."), name);
    }
  /* An empty name is not a mistake yet: nothing is said until one is typed. */
  show_error (self, error != NULL ? error->message : NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "new-lab.create", valid);
}

static void
on_name_changed (HangarNewLabDialog *self)
{
  g_autofree char *prefix = NULL;

  if (!self->prefix_edited)
    {
      prefix = g_strdup_printf ("%s-pc", gtk_editable_get_text (GTK_EDITABLE (self->name_row)));
      self->setting_prefix = TRUE;
      gtk_editable_set_text (GTK_EDITABLE (self->prefix_row), prefix);
      self->setting_prefix = FALSE;
    }
  update_form (self);
}

static void
on_prefix_changed (HangarNewLabDialog *self)
{
  if (!self->setting_prefix)
    self->prefix_edited = TRUE;
  update_form (self);
}

/* The machines that are not members of a lab can be templates. */
static void
fill_templates (HangarNewLabDialog *self)
{
  GListModel *machines = hangar_connection_get_machines (HANGAR_CONNECTION (self->connection));

  for (guint i = 0; i < g_list_model_get_n_items (machines); i++)
    {
      g_autoptr (HangarMachine) machine = g_list_model_get_item (machines, i);

      if (hangar_embedded_connection_find_lab_of (self->connection, machine) == NULL)
        gtk_string_list_append (self->templates, hangar_machine_get_name (machine));
    }
  adw_combo_row_set_model (self->template_row, G_LIST_MODEL (self->templates));
}

/* ---- Making the lab ---- */

static void
show_progress (double fraction, const char *member, gpointer user_data)
{
  HangarNewLabDialog *self = user_data;
  g_autofree char *text = NULL;

  gtk_progress_bar_set_fraction (self->progress_bar, fraction);
  if (member == NULL)
    return;
  /* Translators: the lab member being made, e.g. "Making class-pc03…" */
  text = g_strdup_printf (_ ("Making %s…"), member);
  gtk_label_set_label (self->progress_label, text);
}

/* In words a student understands, and what to do about it. */
static char *
explain_error (const GError *error, const char *name)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_strdup (_ ("Cancelled. Nothing of the lab was kept."));
  /* Made, but not shown: it was kept. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED))
    return g_strdup (error->message);
  if (g_error_matches (error, HV_ERROR, HV_ERROR_NAME_IN_USE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    return g_strdup_printf (_ ("A lab, network or machine already uses a name this lab needs "
                               "(%s). Choose another lab name or member name beginning."),
                            error->message);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
    return g_strdup (_ ("The disk is full: there is no room for the members’ copies of the "
                        "template’s disks. Make fewer members, or free some space."));
  return g_strdup_printf (_ ("The lab “%s” could not be made, and nothing of it was kept: %s"),
                          name, error->message);
}

static void
create_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (HangarNewLabDialog) self = user_data;
  g_autoptr (HangarLab) lab = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *explanation = NULL;

  lab = hangar_embedded_connection_create_lab_finish (HANGAR_EMBEDDED_CONNECTION (source), result,
                                                      &error);
  g_clear_object (&self->creating);
  if (lab != NULL)
    {
      g_signal_emit (self, signals[LAB_CREATED], 0, lab);
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }
  if (self->close_when_done)
    {
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }
  explanation = explain_error (error, gtk_editable_get_text (GTK_EDITABLE (self->name_row)));
  gtk_stack_set_visible_child_name (self->stack, "form");
  update_form (self);
  show_error (self, explanation);
}

static void
create_lab (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  HangarNewLabDialog *self = HANGAR_NEW_LAB_DIALOG (widget);
  g_autoptr (HvLabConfig) config = config_from_form (self);

  self->creating = g_cancellable_new ();
  gtk_label_set_label (self->progress_label, _ ("Making the lab’s network…"));
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_widget_action_set_enabled (widget, "new-lab.cancel", TRUE);
  gtk_widget_action_set_enabled (widget, "new-lab.create", FALSE);
  gtk_stack_set_visible_child_name (self->stack, "progress");
  hangar_embedded_connection_create_lab_async (self->connection, config, show_progress, self,
                                               self->creating, create_done, g_object_ref (self));
}

/* hv_lab_create () removes what it made so far, then the call ends. */
static void
cancel_creation (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  HangarNewLabDialog *self = HANGAR_NEW_LAB_DIALOG (widget);

  gtk_label_set_label (self->progress_label, _ ("Cancelling, and removing what was made…"));
  gtk_widget_action_set_enabled (widget, "new-lab.cancel", FALSE);
  g_cancellable_cancel (self->creating);
}

/* ---- GObject ---- */

static gboolean
hangar_new_lab_dialog_close_request (GtkWindow *window)
{
  HangarNewLabDialog *self = HANGAR_NEW_LAB_DIALOG (window);

  /* Closed while making the lab: cancel, and go once it is cleaned up. */
  if (self->creating != NULL)
    {
      self->close_when_done = TRUE;
      cancel_creation (GTK_WIDGET (self), NULL, NULL);
      return TRUE;
    }
  return GTK_WINDOW_CLASS (hangar_new_lab_dialog_parent_class)->close_request (window);
}

static void
hangar_new_lab_dialog_dispose (GObject *object)
{
  HangarNewLabDialog *self = HANGAR_NEW_LAB_DIALOG (object);

  g_clear_object (&self->connection);
  g_clear_object (&self->templates);
  gtk_widget_dispose_template (GTK_WIDGET (self), HANGAR_TYPE_NEW_LAB_DIALOG);

  G_OBJECT_CLASS (hangar_new_lab_dialog_parent_class)->dispose (object);
}

static void
hangar_new_lab_dialog_class_init (HangarNewLabDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = hangar_new_lab_dialog_dispose;
  window_class->close_request = hangar_new_lab_dialog_close_request;

  signals[LAB_CREATED] = g_signal_new ("lab-created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, HANGAR_TYPE_LAB);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hangar/Hangar/hangar-new-lab-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, HangarNewLabDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, HangarNewLabDialog, template_row);
  gtk_widget_class_bind_template_child (widget_class, HangarNewLabDialog, count_spin);
  gtk_widget_class_bind_template_child (widget_class, HangarNewLabDialog, prefix_row);
  gtk_widget_class_bind_template_child (widget_class, HangarNewLabDialog, nat_check);
  gtk_widget_class_bind_template_child (widget_class, HangarNewLabDialog, isolated_check);
  gtk_widget_class_bind_template_child (widget_class, HangarNewLabDialog, summary_label);
  gtk_widget_class_bind_template_child (widget_class, HangarNewLabDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, HangarNewLabDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, HangarNewLabDialog, progress_label);
  gtk_widget_class_bind_template_child (widget_class, HangarNewLabDialog, progress_bar);
  gtk_widget_class_bind_template_callback (widget_class, on_name_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_prefix_changed);
  gtk_widget_class_bind_template_callback (widget_class, update_form);

  gtk_widget_class_install_action (widget_class, "new-lab.create", NULL, create_lab);
  gtk_widget_class_install_action (widget_class, "new-lab.cancel", NULL, cancel_creation);
}

static void
hangar_new_lab_dialog_init (HangarNewLabDialog *self)
{
  self->templates = gtk_string_list_new (NULL);
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
hangar_new_lab_dialog_new (GtkWindow *parent, HangarEmbeddedConnection *connection)
{
  HangarNewLabDialog *self;

  g_return_val_if_fail (HANGAR_IS_EMBEDDED_CONNECTION (connection), NULL);

  self = g_object_new (HANGAR_TYPE_NEW_LAB_DIALOG, "transient-for", parent, NULL);
  self->connection = g_object_ref (connection);
  fill_templates (self);
  update_form (self);
  return GTK_WIDGET (self);
}
