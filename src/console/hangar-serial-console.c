/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "hangar-serial-console.h"

#define READ_SIZE       8192
#define SCROLLBACK_ROWS 10000

struct _HangarSerialConsole
{
  VteTerminal parent_instance;

  GIOStream *stream;
  GCancellable *cancellable; /* the stream's reads and writes */
  GByteArray *unsent;        /* typed, waiting for the write in flight */
  gboolean writing;
  GtkWidget *menu;
};

G_DEFINE_FINAL_TYPE (HangarSerialConsole, hangar_serial_console, VTE_TYPE_TERMINAL)

enum
{
  PROP_0,
  PROP_STREAM,
  PROP_CONNECTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  DISCONNECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_read (HangarSerialConsole *self);
static void start_write (HangarSerialConsole *self);

static void
lose_stream (HangarSerialConsole *self, const GError *error)
{
  if (self->stream == NULL)
    return;
  if (error != NULL)
    g_debug ("Serial console: %s", error->message);
  hangar_serial_console_set_stream (self, NULL);
  g_signal_emit (self, signals[DISCONNECTED], 0);
}

static void
read_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (HangarSerialConsole) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes =
      g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    return lose_stream (self, error);
  vte_terminal_feed (VTE_TERMINAL (self), g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  start_read (self);
}

static void
start_read (HangarSerialConsole *self)
{
  g_input_stream_read_bytes_async (g_io_stream_get_input_stream (self->stream), READ_SIZE,
                                   G_PRIORITY_DEFAULT, self->cancellable, read_done,
                                   g_object_ref (self));
}

static void
write_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (HangarSerialConsole) self = user_data;
  g_autoptr (GError) error = NULL;
  gssize written = g_output_stream_write_finish (G_OUTPUT_STREAM (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->writing = FALSE;
  if (written < 0)
    return lose_stream (self, error);
  g_byte_array_remove_range (self->unsent, 0, written);
  start_write (self);
}

static void
start_write (HangarSerialConsole *self)
{
  if (self->writing || self->unsent->len == 0 || self->stream == NULL)
    return;
  self->writing = TRUE;
  g_output_stream_write_async (g_io_stream_get_output_stream (self->stream), self->unsent->data,
                               self->unsent->len, G_PRIORITY_DEFAULT, self->cancellable, write_done,
                               g_object_ref (self));
}

/* Keys typed and text pasted: VTE hands them over as a child's input. */
static void
on_commit (VteTerminal *terminal, const char *text, guint size, HangarSerialConsole *self)
{
  if (self->stream == NULL)
    return;
  g_byte_array_append (self->unsent, (const guint8 *) text, size);
  start_write (self);
}

void
hangar_serial_console_set_stream (HangarSerialConsole *self, GIOStream *stream)
{
  g_return_if_fail (HANGAR_IS_SERIAL_CONSOLE (self));
  g_return_if_fail (stream == NULL || G_IS_IO_STREAM (stream));

  if (self->stream == stream)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  /* Unreferenced, not closed: a cancelled read still holds it, and the last
   * reference closes the socket. */
  g_clear_object (&self->stream);
  g_byte_array_set_size (self->unsent, 0);
  self->writing = FALSE;
  if (stream != NULL)
    {
      self->stream = g_object_ref (stream);
      self->cancellable = g_cancellable_new ();
      start_read (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STREAM]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
}

GIOStream *
hangar_serial_console_get_stream (HangarSerialConsole *self)
{
  g_return_val_if_fail (HANGAR_IS_SERIAL_CONSOLE (self), NULL);

  return self->stream;
}

gboolean
hangar_serial_console_get_connected (HangarSerialConsole *self)
{
  g_return_val_if_fail (HANGAR_IS_SERIAL_CONSOLE (self), FALSE);

  return self->stream != NULL;
}

/* ---- Copy and paste ---- */

static void
copy_text (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  vte_terminal_copy_clipboard_format (VTE_TERMINAL (widget), VTE_FORMAT_TEXT);
}

static void
paste_text (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  vte_terminal_paste_clipboard (VTE_TERMINAL (widget));
}

static void
select_all (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  vte_terminal_select_all (VTE_TERMINAL (widget));
}

static void
update_actions (HangarSerialConsole *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console.copy",
                                 vte_terminal_get_has_selection (VTE_TERMINAL (self)));
}

static void
on_secondary_click (GtkGestureClick *gesture, int n_press, double x, double y,
                    HangarSerialConsole *self)
{
  update_actions (self);
  gtk_popover_set_pointing_to (GTK_POPOVER (self->menu), &(GdkRectangle){ x, y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->menu));
}

static GtkWidget *
build_menu (HangarSerialConsole *self)
{
  g_autoptr (GMenu) menu = g_menu_new ();
  GtkWidget *popover;

  g_menu_append (menu, _ ("_Copy"), "console.copy");
  g_menu_append (menu, _ ("_Paste"), "console.paste");
  g_menu_append (menu, _ ("Select _All"), "console.select-all");
  popover = gtk_popover_menu_new_from_model (G_MENU_MODEL (menu));
  gtk_popover_set_has_arrow (GTK_POPOVER (popover), FALSE);
  gtk_widget_set_halign (popover, GTK_ALIGN_START);
  gtk_widget_set_parent (popover, GTK_WIDGET (self));
  return popover;
}

/* ---- GObject ---- */

static void
hangar_serial_console_dispose (GObject *object)
{
  HangarSerialConsole *self = HANGAR_SERIAL_CONSOLE (object);

  hangar_serial_console_set_stream (self, NULL);
  g_clear_pointer (&self->menu, gtk_widget_unparent);

  G_OBJECT_CLASS (hangar_serial_console_parent_class)->dispose (object);
}

static void
hangar_serial_console_finalize (GObject *object)
{
  HangarSerialConsole *self = HANGAR_SERIAL_CONSOLE (object);

  g_byte_array_unref (self->unsent);

  G_OBJECT_CLASS (hangar_serial_console_parent_class)->finalize (object);
}

static void
hangar_serial_console_get_property (GObject *object, guint prop_id, GValue *value,
                                    GParamSpec *pspec)
{
  HangarSerialConsole *self = HANGAR_SERIAL_CONSOLE (object);

  switch (prop_id)
    {
      case PROP_STREAM:
        g_value_set_object (value, self->stream);
        break;
      case PROP_CONNECTED:
        g_value_set_boolean (value, self->stream != NULL);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hangar_serial_console_set_property (GObject *object, guint prop_id, const GValue *value,
                                    GParamSpec *pspec)
{
  HangarSerialConsole *self = HANGAR_SERIAL_CONSOLE (object);

  switch (prop_id)
    {
      case PROP_STREAM:
        hangar_serial_console_set_stream (self, g_value_get_object (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hangar_serial_console_class_init (HangarSerialConsoleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hangar_serial_console_dispose;
  object_class->finalize = hangar_serial_console_finalize;
  object_class->get_property = hangar_serial_console_get_property;
  object_class->set_property = hangar_serial_console_set_property;

  properties[PROP_STREAM] =
      g_param_spec_object ("stream", NULL, NULL, G_TYPE_IO_STREAM,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECTED] = g_param_spec_boolean ("connected", NULL, NULL, FALSE,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The guest's end closed, or the stream failed. */
  signals[DISCONNECTED] = g_signal_new ("disconnected", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "console.copy", NULL, copy_text);
  gtk_widget_class_install_action (widget_class, "console.paste", NULL, paste_text);
  gtk_widget_class_install_action (widget_class, "console.select-all", NULL, select_all);
  /* Ctrl+C and Ctrl+V belong to the guest's programs, as in any terminal. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "console.copy", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_v, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "console.paste", NULL);
}

static void
hangar_serial_console_init (HangarSerialConsole *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  self->unsent = g_byte_array_new ();
  vte_terminal_set_scrollback_lines (VTE_TERMINAL (self), SCROLLBACK_ROWS);
  vte_terminal_set_scroll_on_output (VTE_TERMINAL (self), TRUE);
  vte_terminal_set_scroll_on_keystroke (VTE_TERMINAL (self), TRUE);
  vte_terminal_set_size (VTE_TERMINAL (self), 80, 25);
  g_signal_connect (self, "commit", G_CALLBACK (on_commit), self);

  self->menu = build_menu (self);
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_secondary_click), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

GtkWidget *
hangar_serial_console_new (void)
{
  return g_object_new (HANGAR_TYPE_SERIAL_CONSOLE, NULL);
}
