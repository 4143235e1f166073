/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <unistd.h>

#include "hangar-console-page.h"
#include "hangar-keymap.h"

/* A console that closes while its machine runs (the guest restarted, another
 * client took the serial port) is opened again after this long. */
#define RETRY_SECONDS 1

#define XT_CTRL   0x1d
#define XT_ALT    0x38
#define XT_DELETE (HANGAR_XT_E0 | 0x53)
#define XT_PRINT  (HANGAR_XT_E0 | 0x37)

struct _HangarConsolePage
{
  GtkBox parent_instance;

  HangarMachine *machine;
  GSignalGroup *machine_signals;
  GCancellable *cancellable; /* what is being opened for this machine */
  SpiceSession *session;
  gboolean serial_opening;
  char *error_message; /* why the last attempt failed, for people */
  guint retry_source;
  GtkWindow *fullscreen_window;

  GtkStackSwitcher *switcher;
  GtkToggleButton *fit_button;
  GtkStack *state_stack;
  AdwStatusPage *failed_page;
  GtkOverlay *console_overlay;
  GtkStack *mode_stack;
  HangarSpiceDisplay *display;
  HangarSerialConsole *serial;
  GtkRevealer *grab_revealer;
  GtkLabel *notice_label;
  GMenu *function_keys_section;
};

G_DEFINE_FINAL_TYPE (HangarConsolePage, hangar_console_page, GTK_TYPE_BOX)

enum
{
  PROP_0,
  PROP_MACHINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void open_consoles (HangarConsolePage *self);

/* ---- What the page shows ---- */

static gboolean
machine_is_running (HangarConsolePage *self)
{
  HangarMachineState state = self->machine != NULL ? hangar_machine_get_state (self->machine)
                                                   : HANGAR_MACHINE_STATE_STOPPED;

  return state == HANGAR_MACHINE_STATE_RUNNING || state == HANGAR_MACHINE_STATE_SHUTTING_DOWN;
}

static gboolean
showing_graphics (HangarConsolePage *self)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->mode_stack), "graphical") == 0;
}

static const char *
choose_view (HangarConsolePage *self)
{
  HangarMachineState state;
  gboolean connected;

  if (self->machine == NULL)
    return "off";
  state = hangar_machine_get_state (self->machine);
  if (state == HANGAR_MACHINE_STATE_PAUSED)
    return "paused";
  if (!machine_is_running (self))
    return "off";
  connected = showing_graphics (self) ? hangar_spice_display_get_has_screen (self->display)
                                      : hangar_serial_console_get_connected (self->serial);
  if (connected)
    return "console";
  /* The serial console keeps the guest's last words on screen. */
  if (!showing_graphics (self) && self->error_message == NULL)
    return "console";
  return self->error_message != NULL ? "failed" : "connecting";
}

/* The one place that sets the actions' sensitivity. */
static void
update_actions (HangarConsolePage *self)
{
  gboolean screen = showing_graphics (self) && hangar_spice_display_get_has_screen (self->display);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console.send-keys", screen);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console.screenshot", screen);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console.fullscreen",
                                 machine_is_running (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console.reconnect", machine_is_running (self));
}

static void
update_view (HangarConsolePage *self)
{
  const char *view = choose_view (self);

  adw_status_page_set_description (self->failed_page, self->error_message);
  gtk_stack_set_visible_child_name (self->state_stack, view);
  gtk_label_set_label (self->notice_label,
                       !showing_graphics (self) && machine_is_running (self) &&
                               !hangar_serial_console_get_connected (self->serial)
                           ? _ ("Connecting to the serial port…")
                           : NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->notice_label),
                          *gtk_label_get_label (self->notice_label) != '\0');
  update_actions (self);
}

static void
show_error (HangarConsolePage *self, const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_free (self->error_message);
  self->error_message = g_strdup (error->message);
  update_view (self);
}

/* ---- Opening and closing the consoles ---- */

static gboolean
retry (gpointer data)
{
  HangarConsolePage *self = data;

  self->retry_source = 0;
  open_consoles (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (HangarConsolePage *self)
{
  if (self->retry_source == 0 && machine_is_running (self))
    self->retry_source = g_timeout_add_seconds (RETRY_SECONDS, retry, self);
}

static void
close_graphics (HangarConsolePage *self)
{
  g_autoptr (GList) channels = NULL;

  if (self->session == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->session, self);
  channels = spice_session_get_channels (self->session);
  for (GList *l = channels; l != NULL; l = l->next)
    g_signal_handlers_disconnect_by_data (l->data, self);
  hangar_spice_display_set_session (self->display, NULL);
  spice_session_disconnect (self->session);
  g_clear_object (&self->session);
}

static void
close_consoles (HangarConsolePage *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_handle_id (&self->retry_source, g_source_remove);
  close_graphics (self);
  hangar_serial_console_set_stream (self->serial, NULL);
  self->serial_opening = FALSE;
  g_clear_pointer (&self->error_message, g_free);
}

typedef struct
{
  HangarConsolePage *self;
  SpiceChannel *channel; /* NULL: the session's main channel */
  SpiceSession *session;
} GraphicsRequest;

static void
graphics_request_free (GraphicsRequest *request)
{
  g_object_unref (request->self);
  g_clear_object (&request->channel);
  g_object_unref (request->session);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GraphicsRequest, graphics_request_free)

static void
graphics_opened (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GraphicsRequest) request = user_data;
  HangarConsolePage *self = request->self;
  g_autoptr (GError) error = NULL;
  g_autofree char *unix_path = NULL;
  int fd =
      hangar_machine_open_graphics_finish (HANGAR_MACHINE (source), result, &unix_path, &error);

  if (request->session != self->session)
    {
      /* The machine changed or stopped meanwhile. */
      if (fd >= 0)
        close (fd);
      return;
    }
  if (fd < 0 && unix_path == NULL)
    {
      close_graphics (self);
      show_error (self, error);
      schedule_retry (self);
      return;
    }
  if (request->channel != NULL)
    spice_channel_open_fd (request->channel, fd);
  else if (fd >= 0)
    spice_session_open_fd (self->session, fd);
  else
    {
      g_object_set (self->session, "unix-path", unix_path, NULL);
      spice_session_connect (self->session);
    }
}

static void
request_graphics (HangarConsolePage *self, SpiceChannel *channel)
{
  GraphicsRequest *request = g_new0 (GraphicsRequest, 1);

  request->self = g_object_ref (self);
  request->channel = channel != NULL ? g_object_ref (channel) : NULL;
  request->session = g_object_ref (self->session);
  hangar_machine_open_graphics_async (self->machine, self->cancellable, graphics_opened, request);
}

/* Each channel of a session opened from a file descriptor asks for its own. */
static void
on_open_fd (SpiceChannel *channel, int with_tls, HangarConsolePage *self)
{
  request_graphics (self, channel);
}

static gboolean
lose_graphics (gpointer data)
{
  HangarConsolePage *self = data;

  close_graphics (self);
  update_view (self);
  schedule_retry (self);
  return G_SOURCE_REMOVE;
}

static void
on_main_event (SpiceChannel *channel, SpiceChannelEvent event, HangarConsolePage *self)
{
  g_autoptr (GError) error = NULL;

  switch (event)
    {
      case SPICE_CHANNEL_OPENED:
        g_clear_pointer (&self->error_message, g_free);
        update_view (self);
        break;
      case SPICE_CHANNEL_CLOSED:
      case SPICE_CHANNEL_ERROR_CONNECT:
      case SPICE_CHANNEL_ERROR_TLS:
      case SPICE_CHANNEL_ERROR_LINK:
      case SPICE_CHANNEL_ERROR_AUTH:
      case SPICE_CHANNEL_ERROR_IO:
        error = g_error_new_literal (
            G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
            _ ("The connection to the machine’s screen closed. Hangar connects again while the "
               "machine runs."));
        show_error (self, error);
        /* Not from inside the channel's own signal. */
        g_idle_add_full (G_PRIORITY_DEFAULT, lose_graphics, g_object_ref (self), g_object_unref);
        break;
      case SPICE_CHANNEL_NONE:
      case SPICE_CHANNEL_SWITCHING:
      default:
        break;
    }
}

static void
on_channel_new (SpiceSession *session, SpiceChannel *channel, HangarConsolePage *self)
{
  g_signal_connect_object (channel, "open-fd", G_CALLBACK (on_open_fd), self, 0);
  if (SPICE_IS_MAIN_CHANNEL (channel))
    g_signal_connect_object (channel, "channel-event", G_CALLBACK (on_main_event), self, 0);
}

static void
open_graphics (HangarConsolePage *self)
{
  self->session = spice_session_new ();
  g_signal_connect (self->session, "channel-new", G_CALLBACK (on_channel_new), self);
  hangar_spice_display_set_session (self->display, self->session);
  request_graphics (self, NULL);
}

static void
serial_opened (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (HangarConsolePage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GIOStream) stream =
      hangar_machine_open_serial_finish (HANGAR_MACHINE (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->serial_opening = FALSE;
  if (stream == NULL)
    {
      if (!showing_graphics (self))
        show_error (self, error);
      schedule_retry (self);
      return;
    }
  hangar_serial_console_set_stream (self->serial, stream);
}

static void
open_serial (HangarConsolePage *self)
{
  self->serial_opening = TRUE;
  hangar_machine_open_serial_async (self->machine, self->cancellable, serial_opened,
                                    g_object_ref (self));
}

/* Opens what is not open yet, while the machine runs and the page shows. */
static void
open_consoles (HangarConsolePage *self)
{
  if (!machine_is_running (self) || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  if (hangar_machine_get_spec (self->machine)->graphics && self->session == NULL)
    open_graphics (self);
  /* Opening a serial console takes it from any other client (FORCE): only
   * when the user looks at it. */
  if (!showing_graphics (self) && !hangar_serial_console_get_connected (self->serial) &&
      !self->serial_opening)
    open_serial (self);
  update_view (self);
}

static void
on_mode_changed (HangarConsolePage *self)
{
  open_consoles (self);
  update_view (self);
}

static void
on_serial_disconnected (HangarConsolePage *self)
{
  schedule_retry (self);
  update_view (self);
}

static void
on_state_changed (HangarConsolePage *self)
{
  HangarMachineState state = hangar_machine_get_state (self->machine);

  if (state == HANGAR_MACHINE_STATE_STOPPED || state == HANGAR_MACHINE_STATE_CRASHED)
    close_consoles (self);
  else
    open_consoles (self);
  update_view (self);
}

static void
choose_mode (HangarConsolePage *self)
{
  gboolean graphics = self->machine != NULL && hangar_machine_get_spec (self->machine)->graphics;

  gtk_stack_set_visible_child_name (self->mode_stack, graphics ? "graphical" : "serial");
  gtk_widget_set_visible (GTK_WIDGET (self->switcher), graphics);
}

void
hangar_console_page_set_machine (HangarConsolePage *self, HangarMachine *machine)
{
  g_return_if_fail (HANGAR_IS_CONSOLE_PAGE (self));
  g_return_if_fail (machine == NULL || HANGAR_IS_MACHINE (machine));

  if (self->machine == machine)
    return;
  close_consoles (self);
  vte_terminal_reset (VTE_TERMINAL (self->serial), TRUE, TRUE);
  g_set_object (&self->machine, machine);
  g_signal_group_set_target (self->machine_signals, machine);
  choose_mode (self);
  open_consoles (self);
  update_view (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MACHINE]);
}

HangarMachine *
hangar_console_page_get_machine (HangarConsolePage *self)
{
  g_return_val_if_fail (HANGAR_IS_CONSOLE_PAGE (self), NULL);

  return self->machine;
}

HangarSpiceDisplay *
hangar_console_page_get_display (HangarConsolePage *self)
{
  g_return_val_if_fail (HANGAR_IS_CONSOLE_PAGE (self), NULL);

  return self->display;
}

HangarSerialConsole *
hangar_console_page_get_serial (HangarConsolePage *self)
{
  g_return_val_if_fail (HANGAR_IS_CONSOLE_PAGE (self), NULL);

  return self->serial;
}

const char *
hangar_console_page_get_view (HangarConsolePage *self)
{
  g_return_val_if_fail (HANGAR_IS_CONSOLE_PAGE (self), NULL);

  return gtk_stack_get_visible_child_name (self->state_stack);
}

/* ---- Actions ---- */

static guint
function_key (guint number)
{
  /* F1 to F10 follow each other; F11 and F12 came later. */
  return number <= 10 ? 0x3b + number - 1 : 0x57 + number - 11;
}

static void
send_keys (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  HangarConsolePage *self = HANGAR_CONSOLE_PAGE (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  guint64 number = 0;

  if (g_str_equal (name, "ctrl-alt-delete"))
    hangar_spice_display_send_keys (self->display, (guint[]){ XT_CTRL, XT_ALT, XT_DELETE }, 3);
  else if (g_str_equal (name, "print"))
    hangar_spice_display_send_keys (self->display, (guint[]){ XT_PRINT }, 1);
  else if (g_str_has_prefix (name, "ctrl-alt-f") &&
           g_ascii_string_to_unsigned (name + strlen ("ctrl-alt-f"), 10, 1, 12, &number, NULL))
    hangar_spice_display_send_keys (self->display,
                                    (guint[]){ XT_CTRL, XT_ALT, function_key (number) }, 3);
}

static void
on_screenshot_chosen (GtkNativeDialog *dialog, int response, HangarConsolePage *self)
{
  g_autoptr (GdkTexture) texture = NULL;
  g_autoptr (GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      path = g_file_get_path (file);
      texture = hangar_spice_display_get_screenshot (self->display);
    }
  if (texture != NULL && !gdk_texture_save_to_png (texture, path))
    {
      error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                           _ ("Could not save the screenshot as %s: choose a folder you can write "
                              "to."),
                           path);
      show_error (self, error);
    }
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
save_screenshot (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  HangarConsolePage *self = HANGAR_CONSOLE_PAGE (widget);
  GtkFileChooserNative *dialog;
  g_autofree char *name = NULL;

  dialog = gtk_file_chooser_native_new (_ ("Save a Screenshot"),
                                        GTK_WINDOW (gtk_widget_get_root (widget)),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _ ("_Save"), _ ("_Cancel"));
  /* Translators: the file name of a screenshot; %s is the machine's name */
  name = g_strdup_printf (_ ("%s screenshot.png"), hangar_machine_get_name (self->machine));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  g_signal_connect (dialog, "response", G_CALLBACK (on_screenshot_chosen), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
leave_fullscreen (HangarConsolePage *self)
{
  GtkWindow *window = g_steal_pointer (&self->fullscreen_window);
  GtkWidget *stack = GTK_WIDGET (self->mode_stack);

  if (window == NULL)
    return;
  g_object_ref (stack);
  gtk_overlay_set_child (GTK_OVERLAY (gtk_window_get_child (window)), NULL);
  gtk_overlay_set_child (self->console_overlay, stack);
  g_object_unref (stack);
  gtk_window_destroy (window);
}

static gboolean
on_fullscreen_close (GtkWindow *window, HangarConsolePage *self)
{
  leave_fullscreen (self);
  return TRUE;
}

static GtkWidget *
leave_fullscreen_button (HangarConsolePage *self)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("view-restore-symbolic");

  gtk_widget_set_tooltip_text (button, _ ("Leave Full Screen"));
  gtk_widget_set_halign (button, GTK_ALIGN_END);
  gtk_widget_set_valign (button, GTK_ALIGN_START);
  gtk_widget_set_margin_top (button, 6);
  gtk_widget_set_margin_end (button, 6);
  gtk_widget_add_css_class (button, "osd");
  gtk_widget_add_css_class (button, "circular");
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (leave_fullscreen), self);
  /* Out of the way while the guest has the keyboard and mouse. */
  g_object_bind_property (self->display, "grabbed", button, "visible",
                          G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
  return button;
}

/* The screen moves into a window of its own that fills the monitor; it comes
 * back when that window closes. */
static void
toggle_fullscreen (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  HangarConsolePage *self = HANGAR_CONSOLE_PAGE (widget);
  GtkWidget *stack = GTK_WIDGET (self->mode_stack);
  GtkWidget *overlay;

  if (self->fullscreen_window != NULL)
    return leave_fullscreen (self);
  self->fullscreen_window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_title (self->fullscreen_window, hangar_machine_get_name (self->machine));
  gtk_window_set_transient_for (self->fullscreen_window, GTK_WINDOW (gtk_widget_get_root (widget)));
  overlay = gtk_overlay_new ();
  g_object_ref (stack);
  gtk_overlay_set_child (self->console_overlay, NULL);
  gtk_overlay_set_child (GTK_OVERLAY (overlay), stack);
  g_object_unref (stack);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), leave_fullscreen_button (self));
  gtk_window_set_child (self->fullscreen_window, overlay);
  g_signal_connect (self->fullscreen_window, "close-request", G_CALLBACK (on_fullscreen_close),
                    self);
  gtk_window_fullscreen (self->fullscreen_window);
  gtk_window_present (self->fullscreen_window);
}

static void
reconnect (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  HangarConsolePage *self = HANGAR_CONSOLE_PAGE (widget);

  close_consoles (self);
  open_consoles (self);
}

/* ---- GObject ---- */

static void
hangar_console_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (hangar_console_page_parent_class)->map (widget);
  open_consoles (HANGAR_CONSOLE_PAGE (widget));
}

static void
hangar_console_page_dispose (GObject *object)
{
  HangarConsolePage *self = HANGAR_CONSOLE_PAGE (object);

  leave_fullscreen (self);
  close_consoles (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->machine);
  g_clear_object (&self->machine_signals);
  gtk_widget_dispose_template (GTK_WIDGET (self), HANGAR_TYPE_CONSOLE_PAGE);

  G_OBJECT_CLASS (hangar_console_page_parent_class)->dispose (object);
}

static void
hangar_console_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  HangarConsolePage *self = HANGAR_CONSOLE_PAGE (object);

  switch (prop_id)
    {
      case PROP_MACHINE:
        g_value_set_object (value, self->machine);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hangar_console_page_set_property (GObject *object, guint prop_id, const GValue *value,
                                  GParamSpec *pspec)
{
  HangarConsolePage *self = HANGAR_CONSOLE_PAGE (object);

  switch (prop_id)
    {
      case PROP_MACHINE:
        hangar_console_page_set_machine (self, g_value_get_object (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hangar_console_page_class_init (HangarConsolePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hangar_console_page_dispose;
  object_class->get_property = hangar_console_page_get_property;
  object_class->set_property = hangar_console_page_set_property;
  widget_class->map = hangar_console_page_map;

  properties[PROP_MACHINE] =
      g_param_spec_object ("machine", NULL, NULL, HANGAR_TYPE_MACHINE,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (HANGAR_TYPE_SPICE_DISPLAY);
  g_type_ensure (HANGAR_TYPE_SERIAL_CONSOLE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/hangar/Hangar/hangar-console-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HangarConsolePage, switcher);
  gtk_widget_class_bind_template_child (widget_class, HangarConsolePage, fit_button);
  gtk_widget_class_bind_template_child (widget_class, HangarConsolePage, state_stack);
  gtk_widget_class_bind_template_child (widget_class, HangarConsolePage, failed_page);
  gtk_widget_class_bind_template_child (widget_class, HangarConsolePage, console_overlay);
  gtk_widget_class_bind_template_child (widget_class, HangarConsolePage, mode_stack);
  gtk_widget_class_bind_template_child (widget_class, HangarConsolePage, display);
  gtk_widget_class_bind_template_child (widget_class, HangarConsolePage, serial);
  gtk_widget_class_bind_template_child (widget_class, HangarConsolePage, grab_revealer);
  gtk_widget_class_bind_template_child (widget_class, HangarConsolePage, notice_label);
  gtk_widget_class_bind_template_child (widget_class, HangarConsolePage, function_keys_section);

  gtk_widget_class_install_action (widget_class, "console.send-keys", "s", send_keys);
  gtk_widget_class_install_action (widget_class, "console.screenshot", NULL, save_screenshot);
  gtk_widget_class_install_action (widget_class, "console.fullscreen", NULL, toggle_fullscreen);
  gtk_widget_class_install_action (widget_class, "console.reconnect", NULL, reconnect);
}

static void
fill_function_keys (HangarConsolePage *self)
{
  for (guint i = 1; i <= 12; i++)
    {
      /* Translators: a key combination; %u is a function key's number */
      g_autofree char *label = g_strdup_printf (_ ("Ctrl+Alt+F%u"), i);
      g_autofree char *target = g_strdup_printf ("ctrl-alt-f%u", i);
      g_autoptr (GMenuItem) item = g_menu_item_new (label, NULL);

      g_menu_item_set_action_and_target (item, "console.send-keys", "s", target);
      g_menu_append_item (self->function_keys_section, item);
    }
}

static void
hangar_console_page_init (HangarConsolePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->machine_signals = g_signal_group_new (HANGAR_TYPE_MACHINE);
  g_signal_group_connect_swapped (self->machine_signals, "notify::state",
                                  G_CALLBACK (on_state_changed), self);
  g_signal_connect_swapped (self->display, "notify::has-screen", G_CALLBACK (update_view), self);
  g_signal_connect_swapped (self->serial, "notify::connected", G_CALLBACK (update_view), self);
  g_signal_connect_swapped (self->serial, "disconnected", G_CALLBACK (on_serial_disconnected),
                            self);
  g_signal_connect_swapped (self->mode_stack, "notify::visible-child", G_CALLBACK (on_mode_changed),
                            self);
  g_object_bind_property (self->display, "grabbed", self->grab_revealer, "reveal-child",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->fit_button, "active", self->display, "scale-to-fit",
                          G_BINDING_SYNC_CREATE);
  fill_function_keys (self);
  update_view (self);
}

GtkWidget *
hangar_console_page_new (void)
{
  return g_object_new (HANGAR_TYPE_CONSOLE_PAGE, NULL);
}
