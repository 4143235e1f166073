/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HangarSpiceDisplay against a SPICE server no one here wrote: QEMU, showing
 * a Linux guest's VGA text screen (run-with-guest.sh starts it).
 *  - what the widget draws equals QEMU's own screendump, within a tolerance
 *    for the blinking cursor;
 *  - a click grabs the keyboard, and keys typed through the X server reach the
 *    guest, which reports the line, and an 0xE0 key as its kernel decodes it;
 *  - a small change converts a few tiles, not the whole screen;
 *  - a key chord sent as the send-key menu does reaches the guest;
 *  - the screenshot the widget saves matches QEMU's too;
 *  - Ctrl+Alt gives the keyboard back.
 */
#include "config.h"

#include <adwaita.h>

#include "console-test-util.h"
#include "hangar-keymap.h"
#include "hangar-spice-display.h"

static const char *output_dir;

static gboolean
has_screen (gpointer data)
{
  return hangar_spice_display_get_has_screen (data);
}

static gboolean
is_grabbed (gpointer data)
{
  return hangar_spice_display_get_grabbed (data);
}

static gboolean
is_released (gpointer data)
{
  return !hangar_spice_display_get_grabbed (data);
}

/* What the widget shows, as the renderer paints it. */
static GdkTexture *
render_widget (GtkWidget *widget)
{
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr (GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  return gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
}

/* One QMP command on a fresh connection, after the capabilities handshake. */
static void
qmp_command (const char *command)
{
  g_autoptr (GSocketConnection) connection = connect_env_socket ("HANGAR_TEST_QMP");
  g_autoptr (GDataInputStream) input =
      g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  const char *commands[] = { "{\"execute\":\"qmp_capabilities\"}\n", command };
  g_autoptr (GError) error = NULL;
  g_autofree char *greeting = g_data_input_stream_read_line (input, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (strstr (greeting, "QMP"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_assert_true (g_output_stream_write_all (output, commands[i], strlen (commands[i]), NULL,
                                                NULL, &error));
      for (;;)
        {
          g_autofree char *line = g_data_input_stream_read_line (input, NULL, NULL, &error);
          g_assert_no_error (error);
          g_assert_nonnull (line);
          g_assert_null (strstr (line, "\"error\""));
          if (strstr (line, "\"return\"") != NULL)
            break;
        }
    }
}

/* QEMU's screendump: a binary PPM (P6, maxval 255). */
static guint8 *
read_ppm (const char *path, int *width, int *height)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  int maxval = 0, consumed = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpint (sscanf (contents, "P6 %d %d %d%n", width, height, &maxval, &consumed), ==, 3);
  g_assert_cmpint (maxval, ==, 255);
  consumed++; /* the one white space after maxval */
  g_assert_cmpuint (length - consumed, ==, (gsize) *width * *height * 3);
  return g_memdup2 (contents + consumed, length - consumed);
}

/* How many pixels of EXPECTED (QEMU's RGB screendump, WIDTH x HEIGHT) differ
 * by more than a little in any channel from TEXTURE, whose middle shows it. */
static guint
count_differences (GdkTexture *texture, const guint8 *expected, int width, int height)
{
  int shown_width = gdk_texture_get_width (texture);
  int shown_height = gdk_texture_get_height (texture);
  int left = (shown_width - width) / 2;
  int top = (shown_height - height) / 2;
  g_autofree guint8 *shown = g_malloc ((gsize) shown_width * shown_height * 4);
  guint differing = 0;

  g_assert_cmpint (shown_width, >=, width);
  g_assert_cmpint (shown_height, >=, height);
  gdk_texture_download (texture, shown, shown_width * 4);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        /* Downloads are cairo's ARGB32: B, G, R, A in memory here. */
        const guint8 *p = shown + ((gsize) (y + top) * shown_width + x + left) * 4;
        const guint8 *q = expected + ((gsize) y * width + x) * 3;
        if (ABS (p[2] - q[0]) > 8 || ABS (p[1] - q[1]) > 8 || ABS (p[0] - q[2]) > 8)
          differing++;
      }
  return differing;
}

/* The widget's picture, and the screenshot it saves, against QEMU's own. The
 * window grew for the guest's first, larger, mode: the widget centres the
 * screen one pixel for one pixel. */
static void
compare_with_screendump (HangarSpiceDisplay *display)
{
  g_autofree char *path = g_build_filename (output_dir, "qemu-screendump.ppm", NULL);
  g_autofree char *png = g_build_filename (output_dir, "widget.png", NULL);
  g_autofree char *command =
      g_strdup_printf ("{\"execute\":\"screendump\",\"arguments\":{\"filename\":\"%s\"}}\n", path);
  g_autoptr (GdkTexture) texture = render_widget (GTK_WIDGET (display));
  g_autoptr (GdkTexture) screenshot = hangar_spice_display_get_screenshot (display);
  g_autofree guint8 *expected = NULL;
  int width, height;
  guint differing;

  qmp_command (command);
  expected = read_ppm (path, &width, &height);
  g_assert_true (gdk_texture_save_to_png (texture, png));
  g_print ("# guest screen %dx%d, widget %dx%d; pictures in %s\n", width, height,
           gdk_texture_get_width (texture), gdk_texture_get_height (texture), output_dir);
  /* The text cursor blinks: allow a few character cells, no more. */
  differing = count_differences (texture, expected, width, height);
  g_print ("# %u of %d pixels of the widget differ from QEMU's screendump\n", differing,
           width * height);
  g_assert_cmpuint (differing, <, 4 * 9 * 16);
  g_assert_cmpint (gdk_texture_get_width (screenshot), ==, width);
  g_assert_cmpint (gdk_texture_get_height (screenshot), ==, height);
  differing = count_differences (screenshot, expected, width, height);
  g_print ("# %u pixels of the screenshot differ\n", differing);
  g_assert_cmpuint (differing, <, 4 * 9 * 16);
}

static void
assert_picture_not_blank (GtkWidget *widget)
{
  g_autoptr (GdkTexture) texture = render_widget (widget);
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autofree guint32 *pixels = g_malloc ((gsize) width * height * 4);
  guint lit = 0;

  gdk_texture_download (texture, (guint8 *) pixels, width * 4);
  for (int i = 0; i < width * height; i++)
    lit += (pixels[i] & 0xffffff) != 0;
  g_print ("# %u pixels are not black\n", lit);
  g_assert_cmpuint (lit, >, 1000);
}

static void
run (GtkWindow *window, HangarSpiceDisplay *display, GString *serial_text)
{
  guint64 frames_before, tiles_before, frames_after, tiles_after;
  guint total_tiles;
  TextWait keys = { serial_text, "KEYS:hello hangar" };
  TextWait events = { serial_text, "EVENTS:/dev/input/event" };
  /* struct input_event's type, code, value: EV_KEY, KEY_RIGHT (106), pressed.
   * Without its 0xE0 prefix the guest would decode keypad 6 (77) instead. */
  TextWait right_arrow = { serial_text, "01 00 6a 00 01 00 00 00" };
  TextWait ready = { serial_text, "HANGAR-GUEST: ready" };
  /* Linux restarts at once on Ctrl+Alt+Delete when init does not take it. */
  TextWait restart = { serial_text, "reboot: Restarting system" };

  wait_for (has_screen, display, "the guest's screen", 30);
  wait_for (text_has, &ready, "the guest's /init", 40);
  /* Let the banner reach the screen, and the window fit it. */
  spin (1500);
  assert_picture_not_blank (GTK_WIDGET (display));
  compare_with_screendump (display);

  click_widget (GTK_WIDGET (display));
  wait_for (is_grabbed, display, "the click to grab the keyboard", 10);
  hangar_spice_display_get_stats (display, &frames_before, &tiles_before);
  xdotool ("type --delay 30 'hello hangar'");
  xdotool ("key Return");
  wait_for (text_has, &keys, "the typed line in the guest", 20);
  /* xdotool ran while this loop waited: let the echoed letters arrive and paint. */
  spin (1000);
  hangar_spice_display_get_stats (display, &frames_after, &tiles_after);
  /* The guest's text mode: 720x400. */
  total_tiles = ((720 + 127) / 128) * ((400 + 127) / 128);
  g_print ("# typing: %" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT
           " tiles converted, of %u tiles a frame\n",
           frames_after - frames_before, tiles_after - tiles_before, total_tiles);
  g_assert_cmpuint (frames_after, >, frames_before);
  /* Echoed letters touch a row of tiles, not the whole screen every frame. */
  g_assert_cmpuint (tiles_after - tiles_before, <,
                    (frames_after - frames_before) * total_tiles / 2);

  /* Right arrow: an 0xE0 key, as the guest's keyboard controller sees it. */
  wait_for (text_has, &events, "the guest's key event device", 20);
  spin (1000);
  xdotool ("key Right");
  wait_for (text_has, &right_arrow, "the Right arrow's scan codes in the guest", 20);

  /* Ctrl+Alt gives the keyboard back to the desktop. */
  xdotool ("keydown Control_L keydown Alt_L keyup Alt_L keyup Control_L");
  wait_for (is_released, display, "Ctrl+Alt to release the keyboard", 10);

  /* Ctrl+Alt+Delete as the console page's send-key menu sends it. */
  hangar_spice_display_send_keys (display, (guint[]){ 0x1d, 0x38, HANGAR_XT_E0 | 0x53 }, 3);
  wait_for (text_has, &restart, "Ctrl+Alt+Delete to restart the guest", 20);
}

int
main (int argc, char *argv[])
{
  g_autoptr (GSocketConnection) serial = NULL;
  SpiceSession *session;
  GString *serial_text = g_string_new (NULL);
  Collector collector;
  GtkWindow *window;
  GtkWidget *display;

  g_assert_cmpint (argc, ==, 2);
  output_dir = argv[1];
  g_mkdir_with_parents (output_dir, 0755);
  gtk_init ();
  adw_init ();

  /* QEMU starts the guest once the serial port has a client. */
  serial = connect_env_socket ("HANGAR_TEST_SERIAL");
  collector = (Collector){ g_io_stream_get_input_stream (G_IO_STREAM (serial)), serial_text };
  collector_read (&collector);

  session = spice_session_new ();
  g_object_set (session, "unix-path", g_getenv ("HANGAR_TEST_SPICE"), NULL);
  display = hangar_spice_display_new ();
  /* One guest pixel a screen pixel: the picture must match QEMU's exactly. */
  hangar_spice_display_set_scale_to_fit (HANGAR_SPICE_DISPLAY (display), FALSE);
  hangar_spice_display_set_session (HANGAR_SPICE_DISPLAY (display), session);
  g_assert_true (spice_session_connect (session));

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_decorated (window, FALSE);
  gtk_window_set_child (window, display);
  gtk_window_present (window);

  run (window, HANGAR_SPICE_DISPLAY (display), serial_text);

  spice_session_disconnect (session);
  g_object_unref (session);
  gtk_window_destroy (window);
  g_string_free (serial_text, TRUE);
  return 0;
}
