/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "hangar-add-connection-dialog.h"
#include "hangar-connection-section.h"
#include "hangar-embedded-connection.h"
#include "hangar-host-page.h"
#include "hangar-host.h"
#include "hangar-lab-page.h"
#include "hangar-machine-page.h"
#include "hangar-new-lab-dialog.h"
#include "hangar-new-machine-wizard.h"
#include "hangar-toast.h"
#include "hangar-window.h"

struct _HangarWindow
{
  AdwApplicationWindow parent_instance;

  GSettings *settings;
  HangarConnectionList *connections;
  GPtrArray *sections;

  AdwToastOverlay *toast_overlay;
  AdwLeaflet *leaflet;
  GtkSearchEntry *search_entry;
  GtkBox *sections_box;
  AdwWindowTitle *content_title;
  GtkStack *content_stack;
  AdwStatusPage *empty_page;
  HangarMachinePage *machine_page; /* NULL until first shown */
  HangarHostPage *host_page;       /* NULL until first shown */
  HangarLabPage *lab_page;         /* NULL until first shown */
};

G_DEFINE_FINAL_TYPE (HangarWindow, hangar_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_CONNECTIONS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- Window state ---- */

static void
hangar_window_restore_state (HangarWindow *self)
{
  int width = g_settings_get_int (self->settings, "window-width");
  int height = g_settings_get_int (self->settings, "window-height");

  gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
hangar_window_save_state (HangarWindow *self)
{
  int width, height;
  gboolean maximized = gtk_window_is_maximized (GTK_WINDOW (self));

  /* A maximized window's size is the screen's: keep the size to restore to. */
  if (!maximized)
    {
      gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized", maximized);
}

/* ---- The content column ---- */

static guint
count_machines (HangarWindow *self)
{
  GListModel *connections = hangar_connection_list_get_model (self->connections);
  guint total = 0;

  for (guint i = 0; i < g_list_model_get_n_items (connections); i++)
    {
      g_autoptr (HangarConnection) connection = g_list_model_get_item (connections, i);
      total += g_list_model_get_n_items (hangar_connection_get_machines (connection));
    }
  return total;
}

/* The machine and host pages are made when first shown: most starts show
 * neither, and building them would delay the first frame. */
static HangarMachinePage *
ensure_machine_page (HangarWindow *self)
{
  if (self->machine_page == NULL)
    {
      self->machine_page = HANGAR_MACHINE_PAGE (hangar_machine_page_new ());
      gtk_stack_add_named (self->content_stack, GTK_WIDGET (self->machine_page), "machine");
    }
  return self->machine_page;
}

static HangarHostPage *
ensure_host_page (HangarWindow *self)
{
  if (self->host_page == NULL)
    {
      self->host_page = HANGAR_HOST_PAGE (hangar_host_page_new ());
      gtk_stack_add_named (self->content_stack, GTK_WIDGET (self->host_page), "host");
    }
  return self->host_page;
}

static void on_member_activated (HangarLabPage *page, HangarMachine *member, HangarWindow *self);

static HangarLabPage *
ensure_lab_page (HangarWindow *self)
{
  if (self->lab_page == NULL)
    {
      self->lab_page = HANGAR_LAB_PAGE (hangar_lab_page_new ());
      g_signal_connect (self->lab_page, "member-activated", G_CALLBACK (on_member_activated), self);
      gtk_stack_add_named (self->content_stack, GTK_WIDGET (self->lab_page), "lab");
    }
  return self->lab_page;
}

static HangarLab *
shown_lab (HangarWindow *self)
{
  return self->lab_page != NULL ? hangar_lab_page_get_lab (self->lab_page) : NULL;
}

static HangarMachine *
shown_machine (HangarWindow *self)
{
  return self->machine_page != NULL ? hangar_machine_page_get_machine (self->machine_page) : NULL;
}

static void
show_empty (HangarWindow *self)
{
  gboolean none = count_machines (self) == 0;

  if (self->machine_page != NULL)
    hangar_machine_page_set_machine (self->machine_page, NULL);
  if (self->lab_page != NULL)
    hangar_lab_page_set_lab (self->lab_page, NULL);
  adw_status_page_set_title (self->empty_page,
                             none ? _ ("No Virtual Machines") : _ ("Choose a Machine"));
  adw_status_page_set_description (
      self->empty_page,
      none ? _ ("A virtual machine is a computer that runs inside this one. The machines you "
                "create on this computer, and those of the connections you add, appear here.")
           : _ ("Choose a machine in the list to see it, start it or change it."));
  adw_window_title_set_title (self->content_title, _ ("Virtual Machines"));
  adw_window_title_set_subtitle (self->content_title, NULL);
  gtk_stack_set_visible_child_name (self->content_stack, "empty");
}

static HangarConnection *
connection_of (HangarWindow *self, HangarMachine *machine)
{
  for (guint i = 0; i < self->sections->len; i++)
    {
      HangarConnectionSection *section = g_ptr_array_index (self->sections, i);
      HangarConnection *connection = hangar_connection_section_get_connection (section);
      guint position;

      if (g_list_store_find (G_LIST_STORE (hangar_connection_get_machines (connection)), machine,
                             &position))
        return connection;
    }
  return NULL;
}

/* Settings are checked against this computer only where the machine runs on it. */
static void
set_host_limits (HangarWindow *self, HangarConnection *connection)
{
  g_autoptr (GUri) uri =
      g_uri_parse (hangar_connection_get_uri (connection), G_URI_FLAGS_NONE, NULL);
  const char *host = uri != NULL ? g_uri_get_host (uri) : NULL;
  gboolean local = host == NULL || *host == '\0';

  hangar_machine_page_set_host_limits (ensure_machine_page (self),
                                       local ? hangar_host_count_cpus ("/proc/cpuinfo") : 0,
                                       local ? hangar_host_memory_mib ("/proc/meminfo") : 0);
}

gboolean
hangar_window_show_machine (HangarWindow *self, HangarMachine *machine)
{
  HangarConnection *connection;

  g_return_val_if_fail (HANGAR_IS_WINDOW (self), FALSE);

  connection = connection_of (self, machine);
  if (connection == NULL)
    return FALSE;
  for (guint i = 0; i < self->sections->len; i++)
    {
      HangarConnectionSection *section = g_ptr_array_index (self->sections, i);

      if (hangar_connection_section_get_connection (section) != connection)
        hangar_connection_section_unselect (section);
      else
        hangar_connection_section_select (section, machine);
    }
  set_host_limits (self, connection);
  if (self->lab_page != NULL)
    hangar_lab_page_set_lab (self->lab_page, NULL);
  hangar_machine_page_set_machine (self->machine_page, machine);
  adw_window_title_set_title (self->content_title, hangar_machine_get_name (machine));
  adw_window_title_set_subtitle (self->content_title, hangar_connection_get_title (connection));
  gtk_stack_set_visible_child_name (self->content_stack, "machine");
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
  return TRUE;
}

static HangarEmbeddedConnection *
embedded_connection (HangarWindow *self)
{
  GListModel *connections = hangar_connection_list_get_model (self->connections);

  for (guint i = 0; i < g_list_model_get_n_items (connections); i++)
    {
      g_autoptr (HangarConnection) connection = g_list_model_get_item (connections, i);

      if (HANGAR_IS_EMBEDDED_CONNECTION (connection))
        return HANGAR_EMBEDDED_CONNECTION (connection);
    }
  return NULL;
}

static gboolean
is_listed (GListModel *model, gpointer item)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (GObject) listed = g_list_model_get_item (model, i);

      if (listed == item)
        return TRUE;
    }
  return FALSE;
}

gboolean
hangar_window_show_lab (HangarWindow *self, HangarLab *lab)
{
  HangarEmbeddedConnection *connection;

  g_return_val_if_fail (HANGAR_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (HANGAR_IS_LAB (lab), FALSE);

  connection = embedded_connection (self);
  if (connection == NULL || !is_listed (hangar_embedded_connection_get_labs (connection), lab))
    return FALSE;
  for (guint i = 0; i < self->sections->len; i++)
    {
      HangarConnectionSection *section = g_ptr_array_index (self->sections, i);

      if (hangar_connection_section_get_connection (section) != HANGAR_CONNECTION (connection))
        hangar_connection_section_unselect (section);
      else
        hangar_connection_section_select_lab (section, lab);
    }
  if (self->machine_page != NULL)
    hangar_machine_page_set_machine (self->machine_page, NULL);
  hangar_lab_page_set_lab (ensure_lab_page (self), lab);
  adw_window_title_set_title (self->content_title, hangar_lab_get_name (lab));
  adw_window_title_set_subtitle (self->content_title,
                                 hangar_connection_get_title (HANGAR_CONNECTION (connection)));
  gtk_stack_set_visible_child_name (self->content_stack, "lab");
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
  return TRUE;
}

static void
on_lab_selected (HangarConnectionSection *section, HangarLab *lab, HangarWindow *self)
{
  if (shown_lab (self) != lab)
    hangar_window_show_lab (self, lab);
}

/* A member's tile leads to its own page, where the teacher can take over its screen. */
static void
on_member_activated (HangarLabPage *page, HangarMachine *member, HangarWindow *self)
{
  if (hangar_window_show_machine (self, member))
    hangar_machine_page_show_console (self->machine_page);
}

/* A lab deleted takes its page away. */
static void
on_labs_changed (HangarWindow *self)
{
  HangarLab *shown = shown_lab (self);
  HangarEmbeddedConnection *connection = embedded_connection (self);

  if (shown != NULL &&
      (connection == NULL || !is_listed (hangar_embedded_connection_get_labs (connection), shown)))
    show_empty (self);
}

static void
on_machine_selected (HangarConnectionSection *section, HangarMachine *machine, HangarWindow *self)
{
  if (shown_machine (self) != machine)
    hangar_window_show_machine (self, machine);
}

/* A machine deleted, or a connection lost, takes its page away. */
static void
on_machines_changed (HangarWindow *self)
{
  HangarMachine *shown = shown_machine (self);

  if (shown != NULL && connection_of (self, shown) == NULL)
    show_empty (self);
  else if (g_str_equal (gtk_stack_get_visible_child_name (self->content_stack), "empty"))
    show_empty (self);
}

/* ---- The sidebar ---- */

static void
on_section_reconnect (HangarConnectionSection *section, HangarWindow *self)
{
  hangar_connection_list_reconnect (self->connections,
                                    hangar_connection_section_get_connection (section));
}

static void
on_section_remove (HangarConnectionSection *section, HangarWindow *self)
{
  hangar_connection_list_remove (self->connections,
                                 hangar_connection_section_get_connection (section));
}

static void
rebuild_sections (HangarWindow *self)
{
  GListModel *connections = hangar_connection_list_get_model (self->connections);
  const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  for (guint i = 0; i < self->sections->len; i++)
    {
      GtkWidget *section = g_ptr_array_index (self->sections, i);
      HangarConnection *connection =
          hangar_connection_section_get_connection (HANGAR_CONNECTION_SECTION (section));

      g_signal_handlers_disconnect_by_data (hangar_connection_get_machines (connection), self);
      if (HANGAR_IS_EMBEDDED_CONNECTION (connection))
        g_signal_handlers_disconnect_by_data (
            hangar_embedded_connection_get_labs (HANGAR_EMBEDDED_CONNECTION (connection)), self);
      gtk_box_remove (self->sections_box, section);
    }
  g_ptr_array_set_size (self->sections, 0);

  for (guint i = 0; i < g_list_model_get_n_items (connections); i++)
    {
      g_autoptr (HangarConnection) connection = g_list_model_get_item (connections, i);
      GtkWidget *section =
          hangar_connection_section_new (connection, !HANGAR_IS_EMBEDDED_CONNECTION (connection));

      hangar_connection_section_set_search (HANGAR_CONNECTION_SECTION (section), search);
      g_signal_connect (section, "machine-selected", G_CALLBACK (on_machine_selected), self);
      g_signal_connect (section, "lab-selected", G_CALLBACK (on_lab_selected), self);
      if (HANGAR_IS_EMBEDDED_CONNECTION (connection))
        g_signal_connect_swapped (
            hangar_embedded_connection_get_labs (HANGAR_EMBEDDED_CONNECTION (connection)),
            "items-changed", G_CALLBACK (on_labs_changed), self);
      g_signal_connect (section, "reconnect", G_CALLBACK (on_section_reconnect), self);
      g_signal_connect (section, "remove", G_CALLBACK (on_section_remove), self);
      g_signal_connect_swapped (hangar_connection_get_machines (connection), "items-changed",
                                G_CALLBACK (on_machines_changed), self);
      gtk_box_append (self->sections_box, section);
      g_ptr_array_add (self->sections, section);
    }
  on_machines_changed (self);
  on_labs_changed (self);
}

static void
on_search_changed (HangarWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  for (guint i = 0; i < self->sections->len; i++)
    hangar_connection_section_set_search (g_ptr_array_index (self->sections, i), text);
}

/* ---- Actions ---- */

static void
on_connection_chosen (HangarAddConnectionDialog *dialog, const char *uri, const char *title,
                      HangarWindow *self)
{
  g_autoptr (GError) error = NULL;

  if (hangar_connection_list_add_libvirt (self->connections, uri, title, TRUE, &error) == NULL)
    hangar_toast_show_error (GTK_WIDGET (self->toast_overlay), error);
}

static void
add_connection (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  GtkWidget *dialog = hangar_add_connection_dialog_new (GTK_WINDOW (widget));

  g_signal_connect_object (dialog, "connection-chosen", G_CALLBACK (on_connection_chosen), widget,
                           0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The wizard starts on the connection of the machine shown, if any. */
static void
new_machine (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  HangarWindow *self = HANGAR_WINDOW (widget);
  HangarMachine *shown = shown_machine (self);
  GtkWidget *wizard =
      hangar_new_machine_wizard_new (self, hangar_connection_list_get_model (self->connections),
                                     shown != NULL ? connection_of (self, shown) : NULL);

  gtk_window_present (GTK_WINDOW (wizard));
}

static void
on_lab_created (HangarNewLabDialog *dialog, HangarLab *lab, HangarWindow *self)
{
  hangar_window_show_lab (self, lab);
}

static void
new_lab (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  HangarWindow *self = HANGAR_WINDOW (widget);
  HangarEmbeddedConnection *connection = embedded_connection (self);
  GtkWidget *dialog;

  if (connection == NULL)
    return;
  dialog = hangar_new_lab_dialog_new (GTK_WINDOW (self), connection);
  g_signal_connect_object (dialog, "lab-created", G_CALLBACK (on_lab_created), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
import_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (HangarWindow) self = user_data;
  g_autoptr (HangarLab) lab = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *message = NULL;

  lab = hangar_embedded_connection_create_lab_finish (HANGAR_EMBEDDED_CONNECTION (source), result,
                                                      &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED))
    message = g_strdup (error->message); /* made, but not shown: it was kept */
  else if (lab == NULL)
    message = g_strdup_printf (_ ("The lab could not be imported, and nothing of it was kept: %s"),
                               error->message);
  else
    {
      message = g_strdup_printf (_ ("Lab “%s” imported."), hangar_lab_get_name (lab));
      hangar_window_show_lab (self, lab);
    }
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

static void
start_import (HangarWindow *self, GFile *file, const char *new_name)
{
  HangarEmbeddedConnection *connection = embedded_connection (self);

  if (connection == NULL)
    return;
  adw_toast_overlay_add_toast (self->toast_overlay,
                               adw_toast_new (_ ("Importing the lab and making its members…")));
  hangar_embedded_connection_import_lab_async (connection, file, new_name, NULL, NULL, NULL,
                                               import_done, g_object_ref (self));
}

/* The name FILE gives its lab; NULL when it cannot be read, which the
 * import then explains. */
static char *
lab_name_in (GFile *file)
{
  g_autofree char *path = g_file_get_path (file);
  g_autoptr (HvLabConfig) config = path != NULL ? hv_lab_config_load_file (path, NULL) : NULL;

  return config != NULL ? g_strdup (config->name) : NULL;
}

static gboolean
lab_name_free (HangarWindow *self, const char *name)
{
  HangarEmbeddedConnection *connection = embedded_connection (self);

  return connection != NULL && *name != '\0' &&
         hangar_embedded_connection_find_lab (connection, name) == NULL;
}

/* NAME-2, NAME-3…: the first that no lab has. */
static char *
suggest_lab_name (HangarWindow *self, const char *name)
{
  for (guint n = 2;; n++)
    {
      g_autofree char *suggestion = g_strdup_printf ("%s-%u", name, n);

      if (lab_name_free (self, suggestion))
        return g_steal_pointer (&suggestion);
    }
}

static void
on_new_lab_name_changed (GtkEditable *entry, AdwMessageDialog *dialog)
{
  HangarWindow *self = HANGAR_WINDOW (gtk_window_get_transient_for (GTK_WINDOW (dialog)));

  adw_message_dialog_set_response_enabled (dialog, "import",
                                           lab_name_free (self, gtk_editable_get_text (entry)));
}

static void
on_new_lab_name_response (AdwMessageDialog *dialog, const char *response, HangarWindow *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));

  if (g_str_equal (response, "import"))
    start_import (self, g_object_get_data (G_OBJECT (dialog), "file"),
                  gtk_editable_get_text (entry));
}

/* Two labs cannot share a name: the imported one needs another. */
static void
ask_new_lab_name (HangarWindow *self, GFile *file, const char *name)
{
  g_autofree char *heading = g_strdup_printf (_ ("A Lab Called “%s” Exists"), name);
  g_autofree char *suggestion = suggest_lab_name (self, name);
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (
      GTK_WINDOW (self), heading, _ ("Give the imported lab a name that no other lab has.")));
  GtkWidget *entry = gtk_entry_new ();

  gtk_editable_set_text (GTK_EDITABLE (entry), suggestion);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_add_responses (dialog, "cancel", _ ("_Cancel"), "import", _ ("_Import"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "import", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "import");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "file", g_object_ref (file), g_object_unref);
  g_signal_connect (entry, "changed", G_CALLBACK (on_new_lab_name_changed), dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_new_lab_name_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
hangar_window_import_lab (HangarWindow *self, GFile *file)
{
  g_autofree char *name = NULL;

  g_return_if_fail (HANGAR_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  name = lab_name_in (file);
  if (name != NULL && !lab_name_free (self, name) && embedded_connection (self) != NULL)
    ask_new_lab_name (self, file, name);
  else
    start_import (self, file, NULL);
}

static void
on_import_response (GtkNativeDialog *chooser, int response, HangarWindow *self)
{
  g_autoptr (GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      hangar_window_import_lab (self, file);
    }
  g_object_unref (chooser);
}

static void
import_lab (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  GtkFileChooserNative *chooser =
      gtk_file_chooser_native_new (_ ("Import Lab"), GTK_WINDOW (widget),
                                   GTK_FILE_CHOOSER_ACTION_OPEN, _ ("_Import"), _ ("_Cancel"));

  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_import_response), widget, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
show_host (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  HangarWindow *self = HANGAR_WINDOW (widget);

  for (guint i = 0; i < self->sections->len; i++)
    hangar_connection_section_unselect (g_ptr_array_index (self->sections, i));
  if (self->machine_page != NULL)
    hangar_machine_page_set_machine (self->machine_page, NULL);
  if (self->lab_page != NULL)
    hangar_lab_page_set_lab (self->lab_page, NULL);
  hangar_host_page_refresh (ensure_host_page (self));
  adw_window_title_set_title (self->content_title, _ ("This Computer"));
  adw_window_title_set_subtitle (self->content_title, _ ("Requirements"));
  gtk_stack_set_visible_child_name (self->content_stack, "host");
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
show_sidebar (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  adw_leaflet_navigate (HANGAR_WINDOW (widget)->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
focus_search (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  gtk_widget_grab_focus (GTK_WIDGET (HANGAR_WINDOW (widget)->search_entry));
}

/* ---- GObject ---- */

static gboolean
hangar_window_close_request (GtkWindow *window)
{
  hangar_window_save_state (HANGAR_WINDOW (window));

  return GTK_WINDOW_CLASS (hangar_window_parent_class)->close_request (window);
}

static void
hangar_window_constructed (GObject *object)
{
  HangarWindow *self = HANGAR_WINDOW (object);

  G_OBJECT_CLASS (hangar_window_parent_class)->constructed (object);

  g_signal_connect_object (hangar_connection_list_get_model (self->connections), "items-changed",
                           G_CALLBACK (rebuild_sections), self, G_CONNECT_SWAPPED);
  rebuild_sections (self);
}

static void
hangar_window_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  HangarWindow *self = HANGAR_WINDOW (object);

  switch (prop_id)
    {
      case PROP_CONNECTIONS:
        self->connections = g_value_dup_object (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hangar_window_dispose (GObject *object)
{
  HangarWindow *self = HANGAR_WINDOW (object);

  if (self->sections != NULL)
    {
      for (guint i = 0; i < self->sections->len; i++)
        {
          HangarConnection *connection =
              hangar_connection_section_get_connection (g_ptr_array_index (self->sections, i));
          g_signal_handlers_disconnect_by_data (hangar_connection_get_machines (connection), self);
          if (HANGAR_IS_EMBEDDED_CONNECTION (connection))
            g_signal_handlers_disconnect_by_data (
                hangar_embedded_connection_get_labs (HANGAR_EMBEDDED_CONNECTION (connection)),
                self);
        }
      g_clear_pointer (&self->sections, g_ptr_array_unref);
    }
  g_clear_object (&self->settings);
  g_clear_object (&self->connections);
  gtk_widget_dispose_template (GTK_WIDGET (self), HANGAR_TYPE_WINDOW);

  G_OBJECT_CLASS (hangar_window_parent_class)->dispose (object);
}

static void
hangar_window_class_init (HangarWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = hangar_window_constructed;
  object_class->set_property = hangar_window_set_property;
  object_class->dispose = hangar_window_dispose;
  window_class->close_request = hangar_window_close_request;

  properties[PROP_CONNECTIONS] =
      g_param_spec_object ("connections", NULL, NULL, HANGAR_TYPE_CONNECTION_LIST,
                           G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hangar/Hangar/hangar-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HangarWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HangarWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, HangarWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, HangarWindow, sections_box);
  gtk_widget_class_bind_template_child (widget_class, HangarWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, HangarWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, HangarWindow, empty_page);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);

  gtk_widget_class_install_action (widget_class, "win.add-connection", NULL, add_connection);
  gtk_widget_class_install_action (widget_class, "win.new-machine", NULL, new_machine);
  gtk_widget_class_install_action (widget_class, "win.new-lab", NULL, new_lab);
  gtk_widget_class_install_action (widget_class, "win.import-lab", NULL, import_lab);
  gtk_widget_class_install_action (widget_class, "win.show-host", NULL, show_host);
  gtk_widget_class_install_action (widget_class, "win.show-sidebar", NULL, show_sidebar);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, focus_search);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.new-machine",
                                       NULL);
}

static void
hangar_window_init (HangarWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->sections = g_ptr_array_new ();
  self->settings = g_settings_new (APP_ID);
  hangar_window_restore_state (self);
}

HangarWindow *
hangar_window_new (HangarApplication *app, HangarConnectionList *connections)
{
  g_return_val_if_fail (HANGAR_IS_APPLICATION (app), NULL);

  return g_object_new (HANGAR_TYPE_WINDOW, "application", app, "connections", connections, NULL);
}
