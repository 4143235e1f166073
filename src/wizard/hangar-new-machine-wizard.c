/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "hangar-embedded-install.h"
#include "hangar-new-machine-wizard.h"
#include "hangar-wizard-disk-page.h"
#include "hangar-wizard-network-page.h"
#include "hangar-wizard-os-page.h"
#include "hangar-wizard-resources-page.h"
#include "hangar-wizard-source-page.h"
#include "hangar-wizard-summary-page.h"

static const char *const page_names[] = {
  "source", "os", "resources", "disk", "network", "summary"
};

enum
{
  PAGE_SOURCE,
  PAGE_OS,
  PAGE_RESOURCES,
  PAGE_DISK,
  PAGE_NETWORK,
  PAGE_SUMMARY,
  N_PAGES
};

/* Progress reported from a worker thread, read on the main thread. */
typedef struct
{
  GWeakRef wizard;
  GMutex lock;
  guint64 done;
  guint64 total;
} Job;

struct _HangarNewMachineWizard
{
  AdwWindow parent_instance;

  HangarWindow *window; /* weak */
  GListModel *connections;
  HangarConnection *resources_for;
  HangarConnectionResources *resources;
  HangarInstallInspection *inspection;
  char *last_os_id;
  gboolean name_edited;
  guint page;

  GCancellable *cancellable; /* of the running job; NULL when idle */
  Job *job;
  gboolean job_in_thread; /* a worker thread reports into the job */
  guint progress_source;

  AdwWindowTitle *title;
  GtkStack *stack;
  GtkButton *next_button;
  GtkRevealer *progress_revealer;
  GtkProgressBar *progress_bar;
  GtkLabel *progress_label;
  GtkLabel *error_label;
  HangarWizardSourcePage *source_page;
  HangarWizardOsPage *os_page;
  HangarWizardResourcesPage *resources_page;
  HangarWizardDiskPage *disk_page;
  HangarWizardNetworkPage *network_page;
  HangarWizardSummaryPage *summary_page;
};

G_DEFINE_FINAL_TYPE (HangarNewMachineWizard, hangar_new_machine_wizard, ADW_TYPE_WINDOW)

static void update_actions (HangarNewMachineWizard *self);

/* ---- Busy: a job with a progress bar and a way to cancel it ---- */

static gboolean
pulse_or_fill (gpointer user_data)
{
  HangarNewMachineWizard *self = user_data;
  guint64 done = 0, total = 0;

  if (self->job != NULL)
    {
      g_mutex_lock (&self->job->lock);
      done = self->job->done;
      total = self->job->total;
      g_mutex_unlock (&self->job->lock);
    }
  if (total > 0)
    gtk_progress_bar_set_fraction (self->progress_bar, (double) done / total);
  else
    gtk_progress_bar_pulse (self->progress_bar);
  return G_SOURCE_CONTINUE;
}

static void
job_free (Job *job)
{
  if (job == NULL)
    return;
  g_weak_ref_clear (&job->wizard);
  g_mutex_clear (&job->lock);
  g_free (job);
}

/* Callbacks may come after the window was closed: its widgets are gone. */
static gboolean
is_closed (HangarNewMachineWizard *self)
{
  return self->stack == NULL;
}

static void
begin_job (HangarNewMachineWizard *self, const char *what)
{
  g_assert (self->cancellable == NULL);

  self->cancellable = g_cancellable_new ();
  self->job = g_new0 (Job, 1);
  g_weak_ref_init (&self->job->wizard, self);
  g_mutex_init (&self->job->lock);
  gtk_label_set_text (self->progress_label, what);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_revealer_set_reveal_child (self->progress_revealer, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  self->progress_source = g_timeout_add (100, pulse_or_fill, self);
  update_actions (self);
}

/* The job's state is the caller's to free: its thread may still be using it. */
static Job *
end_job (HangarNewMachineWizard *self)
{
  Job *job = g_steal_pointer (&self->job);

  self->job_in_thread = FALSE;
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->progress_source, g_source_remove);
  gtk_revealer_set_reveal_child (self->progress_revealer, FALSE);
  update_actions (self);
  return job;
}

static void
show_error (HangarNewMachineWizard *self, const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  gtk_label_set_text (self->error_label, error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
}

static void
job_progress (guint64 done, guint64 total, gpointer user_data)
{
  Job *job = user_data;

  g_mutex_lock (&job->lock);
  job->total = total;
  job->done = done;
  g_mutex_unlock (&job->lock);
}

/* ---- The connection ---- */

static HangarConnection *
connection (HangarNewMachineWizard *self)
{
  return hangar_wizard_source_page_get_connection (self->source_page);
}

static gboolean
direct_boot_only (HangarNewMachineWizard *self)
{
  return self->resources != NULL && self->resources->direct_boot_only;
}

static void
on_resources (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (HangarNewMachineWizard) self = user_data;
  g_autoptr (GError) error = NULL;
  HangarConnectionResources *resources =
      hangar_connection_query_resources_finish (HANGAR_CONNECTION (source), result, &error);

  if (is_closed (self))
    {
      hangar_connection_resources_free (resources);
      return;
    }
  if (resources == NULL)
    {
      show_error (self, error);
      return;
    }
  if (HANGAR_CONNECTION (source) != self->resources_for)
    {
      hangar_connection_resources_free (resources);
      return;
    }
  g_clear_pointer (&self->resources, hangar_connection_resources_free);
  self->resources = resources;
  update_actions (self);
}

static void
refresh_resources (HangarNewMachineWizard *self)
{
  HangarConnection *chosen = connection (self);

  if (chosen == NULL || chosen == self->resources_for)
    return;
  g_set_object (&self->resources_for, chosen);
  g_clear_pointer (&self->resources, hangar_connection_resources_free);
  hangar_connection_query_resources_async (chosen, NULL, on_resources, g_object_ref (self));
}

static void
running_totals (HangarConnection *chosen, guint *cpus, guint64 *memory_mib)
{
  GListModel *machines = hangar_connection_get_machines (chosen);

  *cpus = 0;
  *memory_mib = 0;
  for (guint i = 0; i < g_list_model_get_n_items (machines); i++)
    {
      g_autoptr (HangarMachine) machine = g_list_model_get_item (machines, i);
      HangarMachineState state = hangar_machine_get_state (machine);

      if (state == HANGAR_MACHINE_STATE_RUNNING || state == HANGAR_MACHINE_STATE_PAUSED)
        {
          *cpus += hangar_machine_get_spec (machine)->cpus;
          *memory_mib += hangar_machine_get_spec (machine)->memory_mib;
        }
    }
}

static GStrv
taken_names (HangarConnection *chosen)
{
  GListModel *machines = hangar_connection_get_machines (chosen);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < g_list_model_get_n_items (machines); i++)
    {
      g_autoptr (HangarMachine) machine = g_list_model_get_item (machines, i);
      g_strv_builder_add (builder, hangar_machine_get_name (machine));
    }
  return g_strv_builder_end (builder);
}

/* ---- The spec the pages describe ---- */

static char *
describe_source (HangarNewMachineWizard *self)
{
  const char *location = hangar_wizard_source_page_get_location (self->source_page);

  switch (hangar_wizard_source_page_get_kind (self->source_page))
    {
      case HANGAR_SOURCE_ISO:
        return g_strdup_printf (_ ("Disc image %s"), location);
      case HANGAR_SOURCE_TREE:
        return g_strdup_printf (_ ("Install tree %s"), location);
      case HANGAR_SOURCE_KERNEL:
        return g_strdup_printf (_ ("Linux kernel %s"),
                                hangar_wizard_source_page_get_kernel (self->source_page));
      case HANGAR_SOURCE_IMPORT:
        return g_strdup_printf (_ ("Existing disk %s"), location);
      case HANGAR_SOURCE_EMPTY:
      default:
        return g_strdup (_ ("Nothing: an empty machine"));
    }
}

static HangarMachineSpec *
build_spec (HangarNewMachineWizard *self)
{
  HangarMachineSpec *spec = hangar_machine_spec_new ();
  const HangarOsInfo *os = hangar_wizard_os_page_get_os (self->os_page);
  HangarSourceKind kind = hangar_wizard_source_page_get_kind (self->source_page);
  HangarNetworkMode mode = hangar_wizard_network_page_get_mode (self->network_page);
  const char *name = hangar_wizard_summary_page_get_name (self->summary_page);

  spec->name = g_strdup (name);
  spec->os_id = os != NULL ? g_strdup (os->id) : NULL;
  spec->os_name = os != NULL ? g_strdup (os->name) : NULL;
  spec->cpus = hangar_wizard_resources_page_get_cpus (self->resources_page);
  spec->memory_mib = hangar_wizard_resources_page_get_memory_mib (self->resources_page);
  if (kind == HANGAR_SOURCE_KERNEL)
    {
      spec->kernel = g_strdup (hangar_wizard_source_page_get_kernel (self->source_page));
      spec->initrd = g_strdup (hangar_wizard_source_page_get_initrd (self->source_page));
      spec->cmdline = g_strdup (hangar_wizard_source_page_get_cmdline (self->source_page));
    }
  switch (hangar_wizard_disk_page_get_choice (self->disk_page))
    {
      case HANGAR_DISK_NEW:
        {
          g_autofree char *file = g_strconcat (*name != '\0' ? name : "machine", ".img", NULL);
          g_autofree char *path = g_build_filename (
              hangar_wizard_disk_page_get_storage_dir (self->disk_page), file, NULL);
          hangar_machine_spec_add_new_disk (
              spec, path, hangar_wizard_disk_page_get_size_bytes (self->disk_page));
        }
        break;
      case HANGAR_DISK_EXISTING:
        hangar_machine_spec_add_disk (
            spec, hangar_wizard_disk_page_get_existing_path (self->disk_page), 0, FALSE, FALSE);
        break;
      case HANGAR_DISK_NONE:
      default:
        break;
    }
  /* An installer disc boots first, read-only; after the install the disk does. */
  if (kind == HANGAR_SOURCE_ISO)
    hangar_machine_spec_add_disk (spec, hangar_wizard_source_page_get_location (self->source_page),
                                  0, TRUE, TRUE);
  if (mode != HANGAR_NETWORK_NONE)
    hangar_machine_spec_add_nic (spec, mode,
                                 hangar_wizard_network_page_get_source (self->network_page), NULL);
  return spec;
}

static gboolean
validate (HangarNewMachineWizard *self, const HangarMachineSpec *spec, GError **error)
{
  g_auto (GStrv) taken = taken_names (connection (self));
  HangarSpecLimits limits = { 0 };

  limits.taken_names = (const char *const *) taken;
  if (self->resources != NULL)
    {
      limits.host_cpus = self->resources->host_cpus;
      limits.host_memory_mib = self->resources->host_memory_mib;
      limits.free_bytes = self->resources->free_bytes;
      limits.local_files = self->resources->local;
      limits.bridges = (const char *const *) self->resources->bridges;
    }
  return hangar_machine_spec_validate_full (spec, &limits, error);
}

static void
update_summary (HangarNewMachineWizard *self)
{
  g_autoptr (HangarMachineSpec) spec = build_spec (self);
  g_autoptr (GError) error = NULL;
  g_autofree char *source = describe_source (self);
  g_autofree char *xml = NULL;
  HangarConnection *chosen = connection (self);

  validate (self, spec, &error);
  if (spec->name != NULL && *spec->name != '\0')
    xml = hangar_connection_preview_definition (chosen, spec);
  hangar_wizard_summary_page_show (self->summary_page, spec, hangar_connection_get_title (chosen),
                                   source, xml, error != NULL ? error->message : NULL);
}

/* A name from the system's short id, not taken yet: debian11, debian11-2 ... */
static char *
suggest_name (HangarNewMachineWizard *self)
{
  const HangarOsInfo *os = hangar_wizard_os_page_get_os (self->os_page);
  const char *base = os != NULL && os->short_id != NULL ? os->short_id : "machine";
  g_auto (GStrv) taken = taken_names (connection (self));
  char *name = g_strdup (base);

  for (guint i = 2; g_strv_contains ((const char *const *) taken, name); i++)
    {
      g_free (name);
      name = g_strdup_printf ("%s-%u", base, i);
    }
  return name;
}

/* ---- Moving between pages ---- */

static gboolean
page_complete (HangarNewMachineWizard *self)
{
  g_autoptr (HangarMachineSpec) spec = NULL;

  switch (self->page)
    {
      case PAGE_SOURCE:
        return hangar_wizard_source_page_is_complete (self->source_page) && self->resources != NULL;
      case PAGE_OS:
        return hangar_wizard_os_page_is_complete (self->os_page);
      case PAGE_DISK:
        return hangar_wizard_disk_page_is_complete (self->disk_page);
      case PAGE_NETWORK:
        return hangar_wizard_network_page_is_complete (self->network_page);
      case PAGE_SUMMARY:
        spec = build_spec (self);
        return validate (self, spec, NULL);
      case PAGE_RESOURCES:
      default:
        return TRUE;
    }
}

/* Which actions can run is decided here only. */
static void
update_actions (HangarNewMachineWizard *self)
{
  gboolean busy = self->cancellable != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.back", !busy && self->page > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.next", !busy && page_complete (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.cancel-job", busy);
  gtk_button_set_label (self->next_button,
                        self->page == PAGE_SUMMARY ? _ ("C_reate") : _ ("_Next"));
}

static void
show_page (HangarNewMachineWizard *self, guint page)
{
  static const char *titles[] = {
    N_ ("Source"), N_ ("Operating System"), N_ ("Processors and Memory"),
    N_ ("Disk"),   N_ ("Network"),          N_ ("Summary"),
  };
  g_autofree char *subtitle = NULL;

  self->page = page;
  /* Translators: "Step 2 of 6: Operating System" */
  subtitle = g_strdup_printf (_ ("Step %u of %u: %s"), page + 1, N_PAGES, _ (titles[page]));
  adw_window_title_set_subtitle (self->title, subtitle);
  gtk_stack_set_visible_child_name (self->stack, page_names[page]);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  if (page == PAGE_SUMMARY)
    update_summary (self);
  update_actions (self);
}

static void
enter_os_page (HangarNewMachineWizard *self)
{
  HangarSourceKind kind = hangar_wizard_source_page_get_kind (self->source_page);
  gboolean inspected = kind == HANGAR_SOURCE_ISO || kind == HANGAR_SOURCE_TREE;

  /* A kernel is needed where the back end boots kernels only, or for a tree
   * (libvirt starts a tree's kernel too). */
  hangar_wizard_os_page_set_inspection (self->os_page, inspected ? self->inspection : NULL,
                                        kind == HANGAR_SOURCE_TREE ||
                                            (kind == HANGAR_SOURCE_ISO && direct_boot_only (self)));
  show_page (self, PAGE_OS);
}

static void
on_inspected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (HangarNewMachineWizard) self = user_data;
  g_autoptr (GError) error = NULL;
  HangarInstallInspection *inspection = hangar_install_inspect_finish (result, &error);

  if (is_closed (self))
    {
      hangar_install_inspection_free (inspection);
      return;
    }
  job_free (end_job (self));
  if (inspection == NULL)
    {
      show_error (self, error);
      return;
    }
  g_clear_pointer (&self->inspection, hangar_install_inspection_free);
  self->inspection = inspection;
  enter_os_page (self);
}

static void
leave_source_page (HangarNewMachineWizard *self)
{
  HangarSourceKind kind = hangar_wizard_source_page_get_kind (self->source_page);
  const char *location = hangar_wizard_source_page_get_location (self->source_page);
  HangarInstallKind install_kind =
      kind == HANGAR_SOURCE_ISO ? HANGAR_INSTALL_ISO : HANGAR_INSTALL_TREE;

  if (kind != HANGAR_SOURCE_ISO && kind != HANGAR_SOURCE_TREE)
    {
      enter_os_page (self);
      return;
    }
  if (self->inspection != NULL && self->inspection->kind == install_kind &&
      g_strcmp0 (self->inspection->location, location) == 0)
    {
      enter_os_page (self);
      return;
    }
  begin_job (self, _ ("Reading the installer…"));
  hangar_install_inspect_async (location, install_kind, self->cancellable, on_inspected,
                                g_object_ref (self));
}

static void
leave_os_page (HangarNewMachineWizard *self)
{
  const HangarOsInfo *os = hangar_wizard_os_page_get_os (self->os_page);
  const char *os_id = os != NULL ? os->id : "";
  guint running_cpus;
  guint64 running_mib;

  running_totals (connection (self), &running_cpus, &running_mib);
  hangar_wizard_resources_page_set_host (self->resources_page, self->resources->host_cpus,
                                         self->resources->host_memory_mib, running_cpus,
                                         running_mib);
  /* The system's recommendation replaces the values when the system changes. */
  if (g_strcmp0 (self->last_os_id, os_id) != 0)
    {
      hangar_wizard_resources_page_set_recommended (
          self->resources_page, os != NULL ? os->name : NULL, os != NULL ? os->cpus : 0,
          os != NULL ? os->memory_mib : 0);
      hangar_wizard_disk_page_set_recommended_size (self->disk_page,
                                                    os != NULL ? os->storage_bytes : 0);
      g_free (self->last_os_id);
      self->last_os_id = g_strdup (os_id);
    }
  show_page (self, PAGE_RESOURCES);
}

static void
leave_resources_page (HangarNewMachineWizard *self)
{
  gboolean import = hangar_wizard_source_page_get_kind (self->source_page) == HANGAR_SOURCE_IMPORT;

  hangar_wizard_disk_page_set_storage (self->disk_page, self->resources->storage_dir,
                                       self->resources->free_bytes);
  hangar_wizard_disk_page_set_import (
      self->disk_page, import ? hangar_wizard_source_page_get_location (self->source_page) : NULL);
  show_page (self, PAGE_DISK);
}

static void
leave_disk_page (HangarNewMachineWizard *self)
{
  hangar_wizard_network_page_set_networks (self->network_page,
                                           (const char *const *) self->resources->bridges,
                                           self->resources->networks);
  show_page (self, PAGE_NETWORK);
}

static void
leave_network_page (HangarNewMachineWizard *self)
{
  if (!self->name_edited)
    {
      g_autofree char *name = suggest_name (self);

      hangar_wizard_summary_page_set_name (self->summary_page, name);
      self->name_edited = FALSE;
    }
  show_page (self, PAGE_SUMMARY);
}

/* ---- Creating the machine ---- */

static void
on_started (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!hangar_machine_run_action_finish (HANGAR_MACHINE (source), result, &error))
    g_warning ("Could not start %s: %s", hangar_machine_get_name (HANGAR_MACHINE (source)),
               error->message);
}

static void
on_created (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (HangarNewMachineWizard) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (HangarMachine) machine =
      hangar_connection_create_machine_finish (HANGAR_CONNECTION (source), result, &error);

  if (is_closed (self))
    return;
  job_free (end_job (self));
  if (machine == NULL)
    {
      show_error (self, error);
      return;
    }
  if (!hangar_wizard_summary_page_get_customize (self->summary_page))
    hangar_machine_run_action_async (machine, HANGAR_MACHINE_ACTION_START, NULL, on_started, NULL);
  if (self->window != NULL)
    hangar_window_show_machine (self->window, machine);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
create_machine (HangarNewMachineWizard *self, const HangarMachineSpec *spec)
{
  gtk_label_set_text (self->progress_label, _ ("Creating the machine and its disk…"));
  job_progress (0, 0, self->job);
  hangar_connection_create_machine_async (connection (self), spec, self->cancellable, on_created,
                                          g_object_ref (self));
}

static void
on_prepared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Job *job = user_data;
  g_autoptr (HangarNewMachineWizard) self = g_weak_ref_get (&job->wizard);
  g_autoptr (GError) error = NULL;
  g_autoptr (HangarMachineSpec) spec = hangar_embedded_install_prepare_finish (result, &error);

  if (self == NULL || is_closed (self) || self->job != job)
    {
      job_free (job);
      return;
    }
  self->job_in_thread = FALSE;
  if (spec == NULL)
    {
      job_free (end_job (self));
      show_error (self, error);
      return;
    }
  create_machine (self, spec);
}

static char *
boot_dir (const char *name)
{
  return g_build_filename (g_get_user_cache_dir (), "hangar", "boot", name, NULL);
}

static void
create (HangarNewMachineWizard *self)
{
  g_autoptr (HangarMachineSpec) spec = build_spec (self);
  g_autoptr (GError) error = NULL;
  HangarSourceKind kind = hangar_wizard_source_page_get_kind (self->source_page);
  g_autofree char *dir = NULL;

  if (!validate (self, spec, &error))
    {
      show_error (self, error);
      return;
    }
  /* A tree's kernel starts the installer on every back end; a disc's where
   * the back end has no firmware to start it. */
  if (self->inspection != NULL &&
      (kind == HANGAR_SOURCE_TREE || (kind == HANGAR_SOURCE_ISO && direct_boot_only (self))))
    {
      begin_job (self, _ ("Copying the installer’s kernel…"));
      self->job_in_thread = TRUE;
      dir = boot_dir (spec->name);
      hangar_embedded_install_prepare_async (spec, self->inspection, dir, self->cancellable,
                                             job_progress, self->job, on_prepared, self->job);
      return;
    }
  begin_job (self, _ ("Creating the machine and its disk…"));
  create_machine (self, spec);
}

/* ---- Actions ---- */

static void
go_next (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  HangarNewMachineWizard *self = HANGAR_NEW_MACHINE_WIZARD (widget);

  if (!page_complete (self) || self->cancellable != NULL)
    return;
  switch (self->page)
    {
      case PAGE_SOURCE:
        leave_source_page (self);
        break;
      case PAGE_OS:
        leave_os_page (self);
        break;
      case PAGE_RESOURCES:
        leave_resources_page (self);
        break;
      case PAGE_DISK:
        leave_disk_page (self);
        break;
      case PAGE_NETWORK:
        leave_network_page (self);
        break;
      case PAGE_SUMMARY:
      default:
        create (self);
        break;
    }
}

static void
go_back (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  HangarNewMachineWizard *self = HANGAR_NEW_MACHINE_WIZARD (widget);

  if (self->page > 0 && self->cancellable == NULL)
    show_page (self, self->page - 1);
}

static void
cancel_job (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  HangarNewMachineWizard *self = HANGAR_NEW_MACHINE_WIZARD (widget);

  g_cancellable_cancel (self->cancellable);
}

static void
on_source_changed (HangarNewMachineWizard *self)
{
  refresh_resources (self);
  update_actions (self);
}

static void
on_page_changed (HangarNewMachineWizard *self)
{
  if (self->page == PAGE_SUMMARY)
    update_summary (self);
  update_actions (self);
}

static void
on_name_changed (HangarNewMachineWizard *self)
{
  self->name_edited = TRUE;
  on_page_changed (self);
}

static void
on_use_libvirt (HangarNewMachineWizard *self)
{
  if (!hangar_wizard_source_page_select_libvirt (self->source_page))
    {
      gtk_label_set_text (self->error_label,
                          _ ("There is no libvirt connection: add one with the + button of the "
                             "main window, then create the machine there."));
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return;
    }
  g_clear_pointer (&self->inspection, hangar_install_inspection_free);
  show_page (self, PAGE_SOURCE);
}

/* ---- Public ---- */

const char *
hangar_new_machine_wizard_get_page (HangarNewMachineWizard *self)
{
  g_return_val_if_fail (HANGAR_IS_NEW_MACHINE_WIZARD (self), NULL);

  return page_names[self->page];
}

gboolean
hangar_new_machine_wizard_is_busy (HangarNewMachineWizard *self)
{
  g_return_val_if_fail (HANGAR_IS_NEW_MACHINE_WIZARD (self), FALSE);

  return self->cancellable != NULL;
}

/* ---- GObject ---- */

static gboolean
hangar_new_machine_wizard_close_request (GtkWindow *window)
{
  HangarNewMachineWizard *self = HANGAR_NEW_MACHINE_WIZARD (window);

  g_cancellable_cancel (self->cancellable);
  return GTK_WINDOW_CLASS (hangar_new_machine_wizard_parent_class)->close_request (window);
}

static void
hangar_new_machine_wizard_dispose (GObject *object)
{
  HangarNewMachineWizard *self = HANGAR_NEW_MACHINE_WIZARD (object);

  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      /* A thread may still report progress into the job: its callback frees it. */
      if (!self->job_in_thread)
        job_free (self->job);
      self->job = NULL;
      g_clear_object (&self->cancellable);
    }
  g_clear_handle_id (&self->progress_source, g_source_remove);
  g_clear_weak_pointer (&self->window);
  g_clear_object (&self->connections);
  g_clear_object (&self->resources_for);
  g_clear_pointer (&self->resources, hangar_connection_resources_free);
  g_clear_pointer (&self->inspection, hangar_install_inspection_free);
  g_clear_pointer (&self->last_os_id, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), HANGAR_TYPE_NEW_MACHINE_WIZARD);

  G_OBJECT_CLASS (hangar_new_machine_wizard_parent_class)->dispose (object);
}

static void
hangar_new_machine_wizard_class_init (HangarNewMachineWizardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = hangar_new_machine_wizard_dispose;
  window_class->close_request = hangar_new_machine_wizard_close_request;

  g_type_ensure (HANGAR_TYPE_WIZARD_SOURCE_PAGE);
  g_type_ensure (HANGAR_TYPE_WIZARD_OS_PAGE);
  g_type_ensure (HANGAR_TYPE_WIZARD_RESOURCES_PAGE);
  g_type_ensure (HANGAR_TYPE_WIZARD_DISK_PAGE);
  g_type_ensure (HANGAR_TYPE_WIZARD_NETWORK_PAGE);
  g_type_ensure (HANGAR_TYPE_WIZARD_SUMMARY_PAGE);

  gtk_widget_class_set_template_from_resource (
      widget_class, "/io/github/hangar/Hangar/hangar-new-machine-wizard.ui");
  gtk_widget_class_bind_template_child (widget_class, HangarNewMachineWizard, title);
  gtk_widget_class_bind_template_child (widget_class, HangarNewMachineWizard, stack);
  gtk_widget_class_bind_template_child (widget_class, HangarNewMachineWizard, next_button);
  gtk_widget_class_bind_template_child (widget_class, HangarNewMachineWizard, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, HangarNewMachineWizard, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, HangarNewMachineWizard, progress_label);
  gtk_widget_class_bind_template_child (widget_class, HangarNewMachineWizard, error_label);
  gtk_widget_class_bind_template_child (widget_class, HangarNewMachineWizard, source_page);
  gtk_widget_class_bind_template_child (widget_class, HangarNewMachineWizard, os_page);
  gtk_widget_class_bind_template_child (widget_class, HangarNewMachineWizard, resources_page);
  gtk_widget_class_bind_template_child (widget_class, HangarNewMachineWizard, disk_page);
  gtk_widget_class_bind_template_child (widget_class, HangarNewMachineWizard, network_page);
  gtk_widget_class_bind_template_child (widget_class, HangarNewMachineWizard, summary_page);
  gtk_widget_class_bind_template_callback (widget_class, on_source_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_page_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_name_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_use_libvirt);

  gtk_widget_class_install_action (widget_class, "wizard.back", NULL, go_back);
  gtk_widget_class_install_action (widget_class, "wizard.next", NULL, go_next);
  gtk_widget_class_install_action (widget_class, "wizard.cancel-job", NULL, cancel_job);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
hangar_new_machine_wizard_init (HangarNewMachineWizard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
hangar_new_machine_wizard_new (HangarWindow *window, GListModel *connections,
                               HangarConnection *selected)
{
  HangarNewMachineWizard *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (connections), NULL);

  self =
      g_object_new (HANGAR_TYPE_NEW_MACHINE_WIZARD, "transient-for", window, "modal", TRUE, NULL);
  g_set_weak_pointer (&self->window, window);
  self->connections = g_object_ref (connections);
  hangar_wizard_source_page_set_connections (self->source_page, connections, selected);
  refresh_resources (self);
  show_page (self, PAGE_SOURCE);
  return GTK_WIDGET (self);
}
