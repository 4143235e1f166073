/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "hangar-lab-member-tile.h"
#include "hangar-lab-page.h"
#include "hangar-toast.h"

struct _HangarLabPage
{
  GtkBox parent_instance;

  HangarLab *lab;
  GPtrArray *watched_members; /* whose ::notify::state moves the actions */
  GHashTable *busy_labs;      /* HangarLab -> what its running action does, in words */
  GCancellable *cancellable;  /* of what the page shows; cancelled when another lab is shown */

  GtkLabel *summary_label;
  GtkRevealer *busy_revealer;
  GtkLabel *busy_label;
  GtkProgressBar *busy_progress;
  GtkRevealer *warning_revealer;
  GtkLabel *warning_label;
  GtkStack *content_stack;
  GtkFlowBox *members_box;
};

G_DEFINE_FINAL_TYPE (HangarLabPage, hangar_lab_page, GTK_TYPE_BOX)

enum
{
  MEMBER_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- Actions ---- */

static guint
count_running (HangarLabPage *self)
{
  GListModel *members = hangar_lab_get_members (self->lab);
  guint running = 0;

  for (guint i = 0; i < g_list_model_get_n_items (members); i++)
    {
      g_autoptr (HangarMachine) member = g_list_model_get_item (members, i);

      if (hangar_machine_get_state (member) != HANGAR_MACHINE_STATE_STOPPED &&
          hangar_machine_get_state (member) != HANGAR_MACHINE_STATE_CRASHED)
        running++;
    }
  return running;
}

static gboolean
is_busy (HangarLabPage *self)
{
  return self->lab != NULL && g_hash_table_contains (self->busy_labs, self->lab);
}

/* The one place that says which lab actions can be used now. */
static void
update_actions (HangarLabPage *self)
{
  gboolean ready = self->lab != NULL && !is_busy (self);
  guint members = ready ? g_list_model_get_n_items (hangar_lab_get_members (self->lab)) : 0;
  guint running = ready ? count_running (self) : 0;
  GtkWidget *widget = GTK_WIDGET (self);

  gtk_widget_action_set_enabled (widget, "lab.start-all", ready && running < members);
  gtk_widget_action_set_enabled (widget, "lab.shutdown-all", ready && running > 0);
  gtk_widget_action_set_enabled (widget, "lab.force-off-all", ready && running > 0);
  gtk_widget_action_set_enabled (widget, "lab.reset", ready && running == 0);
  gtk_widget_action_set_enabled (widget, "lab.delete", ready && running == 0);
  gtk_widget_action_set_enabled (widget, "lab.export", ready);
}

/* Shows what the shown lab's running action does, if one runs. */
static void
show_busy (HangarLabPage *self)
{
  const char *what = is_busy (self) ? g_hash_table_lookup (self->busy_labs, self->lab) : NULL;

  if (what != NULL)
    {
      gtk_label_set_label (self->busy_label, what);
      gtk_progress_bar_pulse (self->busy_progress);
    }
  gtk_revealer_set_reveal_child (self->busy_revealer, what != NULL);
  update_actions (self);
}

static void query_resources (HangarLabPage *self);

/* An action on the whole lab runs to its end whichever page is shown: a
 * class left half started, or half reset, because the teacher looked at
 * one member's screen meanwhile would be worse than the wait. */
typedef struct
{
  HangarLabPage *page;
  HangarLab *lab;
} LabAction;

/* WHAT: the words the page shows while the action runs; NULL for an action
 * too quick to show. */
static LabAction *
lab_action_new (HangarLabPage *self, const char *what)
{
  LabAction *action = g_new0 (LabAction, 1);

  action->page = g_object_ref (self);
  action->lab = g_object_ref (self->lab);
  if (what != NULL)
    g_hash_table_insert (self->busy_labs, g_object_ref (self->lab), g_strdup (what));
  show_busy (self);
  return action;
}

static void
lab_action_free (LabAction *action)
{
  g_object_unref (action->page);
  g_object_unref (action->lab);
  g_free (action);
}

/* Its errors are told in the window, whichever page it shows now. */
static void
action_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LabAction *action = user_data;
  HangarLabPage *self = action->page;
  g_autoptr (GError) error = NULL;

  g_hash_table_remove (self->busy_labs, action->lab);
  if (action->lab == self->lab)
    {
      show_busy (self);
      query_resources (self);
    }
  if (!hangar_lab_action_finish (HANGAR_LAB (source), result, &error))
    hangar_toast_show_error (GTK_WIDGET (self), error);
  lab_action_free (action);
}

static void
start_all (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  HangarLabPage *self = HANGAR_LAB_PAGE (widget);

  hangar_lab_start_all_async (self->lab, NULL, action_done,
                              lab_action_new (self, _ ("Starting every member…")));
}

static void
shutdown_all (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  HangarLabPage *self = HANGAR_LAB_PAGE (widget);

  hangar_lab_shutdown_all_async (self->lab, NULL, action_done, lab_action_new (self, NULL));
}

static void
force_off_all (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  HangarLabPage *self = HANGAR_LAB_PAGE (widget);

  hangar_lab_force_off_all_async (self->lab, NULL, action_done, lab_action_new (self, NULL));
}

static void
show_reset_progress (double fraction, const char *member, gpointer user_data)
{
  LabAction *action = user_data;
  HangarLabPage *self = action->page;
  g_autofree char *text = NULL;

  if (action->lab != self->lab)
    return;
  gtk_progress_bar_set_fraction (self->busy_progress, fraction);
  if (member == NULL)
    return;
  /* Translators: a lab member whose disks are being replaced, e.g. "Resetting class-pc03…" */
  text = g_strdup_printf (_ ("Resetting %s…"), member);
  gtk_label_set_label (self->busy_label, text);
}

static AdwMessageDialog *
confirmation_new (HangarLabPage *self, const char *heading, const char *body, const char *response,
                  const char *label)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (
      adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), heading, body));

  adw_message_dialog_add_responses (dialog, "cancel", _ ("_Cancel"), response, label, NULL);
  adw_message_dialog_set_response_appearance (dialog, response, ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  return dialog;
}

static void
on_reset_response (AdwMessageDialog *dialog, const char *response, HangarLabPage *self)
{
  LabAction *action;

  if (!g_str_equal (response, "reset") || self->lab == NULL)
    return;
  action = lab_action_new (self, _ ("Resetting the members…"));
  gtk_progress_bar_set_fraction (self->busy_progress, 0);
  /* The action outlives the call, so the progress can find the page. */
  hangar_lab_reset_async (self->lab, show_reset_progress, action, NULL, action_done, action);
}

static void
reset_lab (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  HangarLabPage *self = HANGAR_LAB_PAGE (widget);
  g_autofree char *heading =
      g_strdup_printf (_ ("Reset “%s” to Its Template?"), hangar_lab_get_name (self->lab));
  g_autofree char *body =
      g_strdup_printf (_ ("Every member gets fresh copies of the disks of “%s”. Whatever was "
                          "saved on the members is lost."),
                       hangar_lab_get_template_name (self->lab));
  AdwMessageDialog *dialog = confirmation_new (self, heading, body, "reset", _ ("_Reset"));

  g_signal_connect_object (dialog, "response", G_CALLBACK (on_reset_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_delete_response (AdwMessageDialog *dialog, const char *response, HangarLabPage *self)
{
  GtkCheckButton *with_disks = g_object_get_data (G_OBJECT (dialog), "with-disks");

  if (!g_str_equal (response, "delete") || self->lab == NULL)
    return;
  hangar_lab_delete_async (self->lab, gtk_check_button_get_active (with_disks), NULL, action_done,
                           lab_action_new (self, _ ("Deleting the lab…")));
}

static void
delete_lab (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  HangarLabPage *self = HANGAR_LAB_PAGE (widget);
  g_autofree char *heading = g_strdup_printf (_ ("Delete “%s”?"), hangar_lab_get_name (self->lab));
  AdwMessageDialog *dialog = confirmation_new (
      self, heading,
      _ ("Its member machines and its network are deleted for good. The template stays."), "delete",
      _ ("_Delete"));
  GtkWidget *with_disks =
      gtk_check_button_new_with_mnemonic (_ ("Also delete the members’ _disks"));

  adw_message_dialog_set_extra_child (dialog, with_disks);
  g_object_set_data (G_OBJECT (dialog), "with-disks", with_disks);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
export_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (HangarLabPage) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!hangar_lab_action_finish (HANGAR_LAB (source), result, &error))
    {
      hangar_toast_show_error (GTK_WIDGET (self), error);
      return;
    }
  hangar_toast_show (GTK_WIDGET (self), _ ("Lab exported. Import it on another computer "
                                           "that has the same template machine."));
}

static void
on_export_response (GtkNativeDialog *chooser, int response, HangarLabPage *self)
{
  g_autoptr (GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT && self->lab != NULL)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      hangar_lab_export_async (self->lab, file, NULL, export_done, g_object_ref (self));
    }
  g_object_unref (chooser);
}

static void
export_lab (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  HangarLabPage *self = HANGAR_LAB_PAGE (widget);
  GtkFileChooserNative *chooser =
      gtk_file_chooser_native_new (_ ("Export Lab"), GTK_WINDOW (gtk_widget_get_root (widget)),
                                   GTK_FILE_CHOOSER_ACTION_SAVE, _ ("_Export"), _ ("_Cancel"));
  g_autofree char *file_name = g_strdup_printf ("%s.conf", hangar_lab_get_name (self->lab));

  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), file_name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_export_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- What running the lab asks of this computer ---- */

static char *
format_mib (guint64 mib)
{
  return g_format_size_full (mib << 20, G_FORMAT_SIZE_IEC_UNITS);
}

/* In plain words: what over-commitment does to the class. */
static char *
describe_contention (const HvLabResources *resources)
{
  GString *text = g_string_new (NULL);

  if (hv_lab_resources_memory_overcommitted (resources))
    {
      g_autofree char *needed = format_mib (resources->memory_mib);
      g_autofree char *available = format_mib (resources->available_mib);

      g_string_append_printf (
          text,
          _ ("All the members together need %s of memory, and this computer can give them %s. "
             "They will compete for memory: everything slows down, and some members may fail "
             "to start or stop suddenly."),
          needed, available);
    }
  if (hv_lab_resources_cpus_overcommitted (resources))
    {
      if (text->len > 0)
        g_string_append (text, "\n");
      g_string_append_printf (
          text,
          _ ("The members have %u processors between them, and this computer has %u. They take "
             "turns on the real processors, so each member runs slower while all are busy."),
          resources->cpus, resources->host_cpus);
    }
  if (text->len > 0)
    g_string_append (text, _ ("\nRun fewer members at once, or give the template less memory or "
                              "fewer processors."));
  return g_string_free (text, text->len == 0);
}

static void
resources_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (HangarLabPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *contention = NULL;
  HvLabResources resources;

  if (!hangar_lab_query_resources_finish (HANGAR_LAB (source), result, &resources, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("%s", error->message);
      return;
    }
  if (HANGAR_LAB (source) != self->lab)
    return;
  contention = describe_contention (&resources);
  gtk_label_set_label (self->warning_label, contention);
  gtk_revealer_set_reveal_child (self->warning_revealer, contention != NULL);
}

static void
query_resources (HangarLabPage *self)
{
  hangar_lab_query_resources_async (self->lab, self->cancellable, resources_done,
                                    g_object_ref (self));
}

/* ---- Following the lab ---- */

static void
update_summary (HangarLabPage *self)
{
  guint count = hangar_lab_get_count (self->lab);
  g_autofree char *summary = NULL;
  const char *network = hangar_lab_get_network_mode (self->lab) == HV_NETWORK_MODE_ISOLATED
                            ? _ ("the members reach only each other")
                            : _ ("the members can reach the Internet");

  /* Translators: "3 members made from “debian-class”; the members can reach the Internet" */
  summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u member made from “%s”; %s",
                                          "%u members made from “%s”; %s", count),
                             count, hangar_lab_get_template_name (self->lab), network);
  gtk_label_set_label (self->summary_label, summary);
}

static void
unwatch_members (HangarLabPage *self)
{
  for (guint i = 0; i < self->watched_members->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->watched_members, i), self);
  g_ptr_array_set_size (self->watched_members, 0);
}

static void
on_members_changed (HangarLabPage *self)
{
  GListModel *members = hangar_lab_get_members (self->lab);
  guint n_members = g_list_model_get_n_items (members);

  unwatch_members (self);
  for (guint i = 0; i < n_members; i++)
    {
      HangarMachine *member = g_list_model_get_item (members, i);

      g_signal_connect_swapped (member, "notify::state", G_CALLBACK (update_actions), self);
      g_ptr_array_add (self->watched_members, member);
    }
  gtk_stack_set_visible_child_name (self->content_stack, n_members > 0 ? "members" : "no-members");
  update_summary (self);
  update_actions (self);
}

static GtkWidget *
create_tile (gpointer item, gpointer user_data)
{
  HangarLabPage *self = user_data;

  return hangar_lab_member_tile_new (self->lab, HANGAR_MACHINE (item));
}

static void
on_member_activated (GtkFlowBox *box, GtkFlowBoxChild *child, HangarLabPage *self)
{
  g_signal_emit (self, signals[MEMBER_ACTIVATED], 0,
                 hangar_lab_member_tile_get_machine (HANGAR_LAB_MEMBER_TILE (child)));
}

void
hangar_lab_page_set_lab (HangarLabPage *self, HangarLab *lab)
{
  g_return_if_fail (HANGAR_IS_LAB_PAGE (self));

  if (self->lab == lab)
    return;
  if (self->lab != NULL)
    {
      g_signal_handlers_disconnect_by_data (hangar_lab_get_members (self->lab), self);
      g_signal_handlers_disconnect_by_data (self->lab, self);
    }
  unwatch_members (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_set_object (&self->lab, lab);
  show_busy (self);
  gtk_revealer_set_reveal_child (self->warning_revealer, FALSE);
  gtk_flow_box_bind_model (self->members_box, lab != NULL ? hangar_lab_get_members (lab) : NULL,
                           create_tile, self, NULL);
  if (lab == NULL)
    return;
  g_signal_connect_swapped (hangar_lab_get_members (lab), "items-changed",
                            G_CALLBACK (on_members_changed), self);
  g_signal_connect_swapped (lab, "notify", G_CALLBACK (update_summary), self);
  on_members_changed (self);
  query_resources (self);
}

HangarLab *
hangar_lab_page_get_lab (HangarLabPage *self)
{
  g_return_val_if_fail (HANGAR_IS_LAB_PAGE (self), NULL);
  return self->lab;
}

/* ---- GObject ---- */

static void
hangar_lab_page_dispose (GObject *object)
{
  HangarLabPage *self = HANGAR_LAB_PAGE (object);

  if (self->watched_members != NULL)
    hangar_lab_page_set_lab (self, NULL);
  g_clear_pointer (&self->watched_members, g_ptr_array_unref);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), HANGAR_TYPE_LAB_PAGE);

  G_OBJECT_CLASS (hangar_lab_page_parent_class)->dispose (object);
}

/* Actions still running hold the page, and find their lab here when done. */
static void
hangar_lab_page_finalize (GObject *object)
{
  HangarLabPage *self = HANGAR_LAB_PAGE (object);

  g_hash_table_unref (self->busy_labs);
  G_OBJECT_CLASS (hangar_lab_page_parent_class)->finalize (object);
}

static void
hangar_lab_page_class_init (HangarLabPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hangar_lab_page_dispose;
  object_class->finalize = hangar_lab_page_finalize;

  signals[MEMBER_ACTIVATED] =
      g_signal_new ("member-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, HANGAR_TYPE_MACHINE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hangar/Hangar/hangar-lab-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HangarLabPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, HangarLabPage, busy_revealer);
  gtk_widget_class_bind_template_child (widget_class, HangarLabPage, busy_label);
  gtk_widget_class_bind_template_child (widget_class, HangarLabPage, busy_progress);
  gtk_widget_class_bind_template_child (widget_class, HangarLabPage, warning_revealer);
  gtk_widget_class_bind_template_child (widget_class, HangarLabPage, warning_label);
  gtk_widget_class_bind_template_child (widget_class, HangarLabPage, content_stack);
  gtk_widget_class_bind_template_child (widget_class, HangarLabPage, members_box);
  gtk_widget_class_bind_template_callback (widget_class, on_member_activated);

  gtk_widget_class_install_action (widget_class, "lab.start-all", NULL, start_all);
  gtk_widget_class_install_action (widget_class, "lab.shutdown-all", NULL, shutdown_all);
  gtk_widget_class_install_action (widget_class, "lab.force-off-all", NULL, force_off_all);
  gtk_widget_class_install_action (widget_class, "lab.reset", NULL, reset_lab);
  gtk_widget_class_install_action (widget_class, "lab.delete", NULL, delete_lab);
  gtk_widget_class_install_action (widget_class, "lab.export", NULL, export_lab);
}

static void
hangar_lab_page_init (HangarLabPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->watched_members = g_ptr_array_new_with_free_func (g_object_unref);
  self->busy_labs = g_hash_table_new_full (NULL, NULL, g_object_unref, g_free);
  self->cancellable = g_cancellable_new ();
  update_actions (self);
}

GtkWidget *
hangar_lab_page_new (void)
{
  return g_object_new (HANGAR_TYPE_LAB_PAGE, NULL);
}
