/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Console tab of the real window against guests that hv-vmm runs for This
 * Computer (the embedded back end), in the build's own XDG directories:
 *  - "spice": the fbpattern guest with a SPICE display, started through the
 *    machine page's machine.start action; the console widget's picture, and
 *    the guest's whole screen, show fbpattern.h's pattern; then force off.
 *  - "serial": the echo guest; its "echo: ready" shows in the terminal, a word
 *    typed through the X server comes back, and 'q' powers the guest off.
 *  - "mouse": the kbdecho guest with a SPICE display and only a PS/2 mouse
 *    (server mouse mode): once the display has the pointer, moves through
 *    the X server that add up to more than the window's width all reach the
 *    guest, which reports them from its mouse port on the serial console.
 *  - "cursor": the vinput guest, whose virtio tablet puts the display in
 *    client mouse mode: the pointer over the display takes the shape that
 *    hv-vmm's cursor channel gives (a 12x18 arrow, white in a black outline).
 * test-embedded-console MODE OUTPUT_DIR KERNEL
 */
#include "config.h"

#include <adwaita.h>
#include <hv/hv.h>

#include "../../guests/fbpattern.h"
#include "console-test-util.h"
#include "hangar-application.h"
#include "hangar-console-page.h"
#include "hangar-machine-page.h"
#include "hangar-window.h"

static const char *mode;
static const char *output_dir;
static char *kernel;
static char *machine_name;

static void
expect_state (HangarMachine *machine, HangarMachineState state, guint seconds)
{
  StateWait wait = { machine, state };
  g_autofree char *what =
      g_strdup_printf ("%s to be %s", machine_name, hangar_machine_state_to_string (state));

  wait_for (has_state, &wait, what, seconds);
}

/* What WIDGET shows, as the renderer paints it. */
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

static void
save_texture (GdkTexture *texture, const char *name)
{
  g_autofree char *path = g_build_filename (output_dir, name, NULL);

  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_print ("# picture %s\n", path);
}

/* Downloads are cairo's ARGB32: B, G, R, A in memory. */
static guint32
pixel_at (const guint8 *pixels, int stride, int x, int y)
{
  const guint8 *p = pixels + (gsize) y * stride + (gsize) x * 4;

  return (guint32) p[2] << 16 | (guint32) p[1] << 8 | p[0];
}

static gboolean
colour_near (guint32 a, guint32 b)
{
  for (int shift = 0; shift < 24; shift += 8)
    if (ABS ((int) ((a >> shift) & 0xff) - (int) ((b >> shift) & 0xff)) > 24)
      return FALSE;
  return TRUE;
}

/* How many of the sample points of the pattern (the middle of each bar and of
 * each checker cell) are not the pattern's colour in TEXTURE, where a
 * WIDTH x HEIGHT screen lies at LEFT, TOP scaled by SCALE. */
static guint
count_pattern_misses (GdkTexture *texture, int width, int height, double left, double top,
                      double scale, guint *samples)
{
  int shown_width = gdk_texture_get_width (texture);
  int shown_height = gdk_texture_get_height (texture);
  g_autofree guint8 *shown = g_malloc ((gsize) shown_width * shown_height * 4);
  guint misses = 0;

  gdk_texture_download (texture, shown, shown_width * 4);
  *samples = 0;
  for (int y = FBPATTERN_CELL / 2; y < height; y += FBPATTERN_CELL)
    for (int x = FBPATTERN_CELL / 2; x < width; x += FBPATTERN_CELL)
      {
        int sx = (int) (left + x * scale);
        int sy = (int) (top + y * scale);
        guint32 expected = fbpattern_pixel (x, y, width, height);

        /* Skip the cells at a bar's edge, which scaling blends. */
        if (y < height / 2 && fbpattern_pixel (x - FBPATTERN_CELL / 2, y, width, height) !=
                                  fbpattern_pixel (x + FBPATTERN_CELL / 2 - 1, y, width, height))
          continue;
        g_assert_cmpint (sx, <, shown_width);
        g_assert_cmpint (sy, <, shown_height);
        (*samples)++;
        if (!colour_near (pixel_at (shown, shown_width * 4, sx, sy), expected))
          misses++;
      }
  return misses;
}

static void
set_true (gboolean *flag)
{
  *flag = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

/* A screenshot of WINDOW, after a frame painted from this point on. */
static void
save_window (GtkWidget *window, const char *name)
{
  g_autoptr (GdkTexture) texture = NULL;
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);
  gboolean painted = FALSE;
  gulong handler;

  handler = g_signal_connect_swapped (clock, "after-paint", G_CALLBACK (set_true), &painted);
  gtk_widget_queue_draw (window);
  wait_for (is_true, &painted, "the window to paint", 10);
  g_signal_handler_disconnect (clock, handler);
  texture = render_widget (window);
  save_texture (texture, name);
}

/* Every pixel of the bars' middle row and of a column down the middle of
 * each bar is its bar's colour in TEXTURE: no seam between the tiles the
 * screen is drawn in (within 2 pixels of a bar's edge, scaling blends). */
static guint
count_seam_pixels (GdkTexture *texture, int width, int height, double left, double top,
                   double scale)
{
  int shown_width = gdk_texture_get_width (texture);
  int shown_height = gdk_texture_get_height (texture);
  g_autofree guint8 *shown = g_malloc ((gsize) shown_width * shown_height * 4);
  int stride = shown_width * 4;
  int bars_bottom = (int) (top + (height / 2) * scale) - 2;
  guint wrong = 0;

  gdk_texture_download (texture, shown, stride);
  for (int sx = (int) left; sx < (int) (left + width * scale) && sx < shown_width; sx++)
    {
      int x = (int) ((sx + 0.5 - left) / scale);
      int sy = (int) (top + (height / 4) * scale);

      if (fbpattern_pixel (MAX (0, x - (int) (2 / scale) - 1), 0, width, height) !=
          fbpattern_pixel (MIN (width - 1, x + (int) (2 / scale) + 1), 0, width, height))
        continue;
      if (!colour_near (pixel_at (shown, stride, sx, sy), fbpattern_pixel (x, 0, width, height)))
        wrong++;
    }
  for (int bar = 0; bar < 8; bar++)
    {
      int x = width * bar / 8 + width / 16;
      int sx = (int) (left + x * scale);

      for (int sy = (int) top + 2; sy < bars_bottom; sy++)
        if (!colour_near (pixel_at (shown, stride, sx, sy), fbpattern_pixel (x, 0, width, height)))
          wrong++;
    }
  return wrong;
}

typedef struct
{
  HangarSpiceDisplay *display;
  guint misses;
  guint samples;
} PatternWait;

/* The guest's whole screen, as the widget keeps it, is the pattern. */
static gboolean
screen_shows_pattern (gpointer data)
{
  PatternWait *wait = data;
  g_autoptr (GdkTexture) screen = hangar_spice_display_get_screenshot (wait->display);

  if (screen == NULL)
    return FALSE;
  wait->misses = count_pattern_misses (screen, gdk_texture_get_width (screen),
                                       gdk_texture_get_height (screen), 0, 0, 1, &wait->samples);
  return wait->misses == 0;
}

static void
check_spice (HangarConsolePage *page, HangarMachine *machine)
{
  HangarSpiceDisplay *display = hangar_console_page_get_display (page);
  GtkWidget *widget = GTK_WIDGET (display);
  PatternWait wait = { display, 0, 0 };
  g_autoptr (GdkTexture) screen = NULL;
  g_autoptr (GdkTexture) shown = NULL;
  double scale, left, top;
  int width, height;
  guint misses, samples;

  {
    gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

    while (!screen_shows_pattern (&wait))
      {
        if (g_get_monotonic_time () > deadline)
          {
            g_autoptr (GdkTexture) last = hangar_spice_display_get_screenshot (display);

            if (last != NULL)
              save_texture (last, "guest-screen-wrong.png");
            g_error ("the guest's screen is not the pattern: %u of %u points wrong", wait.misses,
                     wait.samples);
          }
        spin (100);
      }
  }
  screen = hangar_spice_display_get_screenshot (display);
  width = gdk_texture_get_width (screen);
  height = gdk_texture_get_height (screen);
  save_texture (screen, "guest-screen.png");
  g_print ("# guest screen %dx%d: %u points of the pattern, all right\n", width, height,
           wait.samples);

  /* The widget's own picture: the same screen, placed as the widget places it. */
  spin (300);
  g_assert_true (gtk_widget_get_mapped (widget));
  shown = render_widget (widget);
  save_texture (shown, "console-widget.png");
  if (hangar_spice_display_get_scale_to_fit (display))
    scale = MIN ((double) gtk_widget_get_width (widget) / width,
                 (double) gtk_widget_get_height (widget) / height);
  else
    scale = 1.0;
  left = MAX (0, floor ((gtk_widget_get_width (widget) - width * scale) / 2));
  top = MAX (0, floor ((gtk_widget_get_height (widget) - height * scale) / 2));
  g_print ("# widget %dx%d, screen at %.0f,%.0f scaled %.3f\n", gtk_widget_get_width (widget),
           gtk_widget_get_height (widget), left, top, scale);
  if (scale >= 1.0 || hangar_spice_display_get_scale_to_fit (display))
    {
      misses =
          count_pattern_misses (shown, MIN (width, (int) (gtk_widget_get_width (widget) / scale)),
                                height, left, top, scale, &samples);
      g_print ("# %u of %u points of the pattern are wrong in the widget's picture\n", misses,
               samples);
      g_assert_cmpuint (samples, >, 32);
      g_assert_cmpuint (misses, ==, 0);
      misses = count_seam_pixels (shown, width, height, left, top, scale);
      g_print ("# %u pixels of the bars are not their bar's colour (seams)\n", misses);
      g_assert_cmpuint (misses, ==, 0);
    }
  else
    g_error ("the console shows the screen neither whole nor one pixel for one");
  save_window (gtk_widget_get_ancestor (widget, GTK_TYPE_WINDOW), "window-spice.png");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "machine.force-off", NULL));
  expect_state (machine, HANGAR_MACHINE_STATE_STOPPED, 20);
}

static void
expect_text (TerminalWait *wait, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!terminal_shows (wait))
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_autofree char *text = vte_terminal_get_text (wait->terminal, NULL, NULL, NULL);

          g_error ("timed out waiting for %s; the terminal shows:\n%s", what, text);
        }
      spin (20);
    }
}

static void
check_serial (HangarConsolePage *page, HangarMachine *machine)
{
  HangarSerialConsole *console = hangar_console_page_get_serial (page);
  VteTerminal *terminal = VTE_TERMINAL (console);
  TerminalWait ready = { terminal, "echo: ready" };
  TerminalWait echoed = { terminal, "echo: ready\nhello" };
  TerminalWait bye = { terminal, "bye" };
  g_autofree char *all = NULL;

  expect_text (&ready, "“echo: ready” in the terminal");
  g_assert_true (hangar_serial_console_get_connected (console));

  click_widget (GTK_WIDGET (console));
  wait_for (is_focused, console, "the terminal to take the keyboard", 10);
  xdotool ("type --delay 30 hello");
  expect_text (&echoed, "the guest's echo of “hello”");

  xdotool ("type q");
  save_window (gtk_widget_get_ancestor (GTK_WIDGET (console), GTK_TYPE_WINDOW),
               "window-serial.png");
  expect_text (&bye, "the guest's “bye”");
  expect_state (machine, HANGAR_MACHINE_STATE_STOPPED, 20);

  all = vte_terminal_get_text (terminal, NULL, NULL, NULL);
  g_print ("# terminal text:\n%s\n", all);
}

/* The sum of the horizontal moves in the PS/2 packets that the kbdecho guest
 * printed, a byte an "aux: xx" line, after its "kbdecho: ready". */
static int
sum_mouse_dx (const char *text)
{
  const char *line = strstr (text, "kbdecho: ready");
  guint8 packet[3];
  guint n = 0;
  int sum = 0;

  for (line = line != NULL ? strstr (line, "aux: ") : NULL; line != NULL;
       line = strstr (line + 1, "aux: "))
    {
      packet[n++] = (guint8) strtoul (line + 5, NULL, 16);
      if (n < 3)
        continue;
      n = 0;
      /* Bit 3 is set in a packet's first byte, bit 4 is the sign of X. */
      g_assert_cmphex (packet[0] & 0x08, ==, 0x08);
      sum += packet[1] - ((packet[0] & 0x10) ? 256 : 0);
    }
  return sum;
}

typedef struct
{
  GString *text;
  int at_least;
} MoveWait;

static gboolean
guest_moved (gpointer data)
{
  MoveWait *wait = data;

  return sum_mouse_dx (wait->text->str) >= wait->at_least;
}

static void
check_mouse (HangarConsolePage *page, HangarMachine *machine, HvRuntime *runtime)
{
  HangarSpiceDisplay *display = hangar_console_page_get_display (page);
  GtkWidget *widget = GTK_WIDGET (display);
  g_autoptr (HvGuestInfo) info = hv_runtime_lookup_guest (runtime, machine_name, NULL, NULL);
  g_autoptr (GSocketConnection) console = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) screen = NULL;
  Collector collector = { NULL, g_string_new (NULL) };
  TextWait ready = { collector.text, "kbdecho: ready" };
  MoveWait moved = { collector.text, 0 };
  double scale;
  int to_edge;

  g_assert_nonnull (info);
  console = hv_guest_info_connect_console (info, NULL, &error);
  g_assert_no_error (error);
  collector.input = g_io_stream_get_input_stream (G_IO_STREAM (console));
  collector_read (&collector);
  wait_for (text_has, &ready, "the guest's “kbdecho: ready”", 20);

  /* The click goes where the widget is: once it has a place. */
  wait_for ((Condition) gtk_widget_get_width, widget, "the display to have a size", 10);
  save_window (gtk_widget_get_ancestor (widget, GTK_TYPE_WINDOW), "window-mouse.png");
  click_widget (widget);
  wait_for ((Condition) hangar_spice_display_get_grabbed, display,
            "the display to take the pointer", 10);
  /* From the middle of the widget, its edge is this far in the guest's pixels. */
  screen = hangar_spice_display_get_screenshot (display);
  g_assert_nonnull (screen);
  scale = hangar_spice_display_get_scale_to_fit (display)
              ? MIN ((double) gtk_widget_get_width (widget) / gdk_texture_get_width (screen),
                     (double) gtk_widget_get_height (widget) / gdk_texture_get_height (screen))
              : 1.0;
  to_edge = (int) (gtk_widget_get_width (widget) / 2 / scale);
  /* 30 moves of 40 pixels to the right: more than the window's width. */
  for (int i = 0; i < 30; i++)
    {
      xdotool ("mousemove_relative 40 0");
      spin (20);
    }
  moved.at_least = 2 * to_edge;
  wait_for (guest_moved, &moved, "the guest's mouse to move twice as far as the widget's edge", 20);
  g_print ("# widget %d wide; the guest's mouse moved %d pixels right (the edge: %d)\n",
           gtk_widget_get_width (widget), sum_mouse_dx (collector.text->str), to_edge);
  g_assert_cmpint (sum_mouse_dx (collector.text->str), <=, (int) (1200 / scale) + 2);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "machine.force-off", NULL));
  expect_state (machine, HANGAR_MACHINE_STATE_STOPPED, 20);
  g_string_free (collector.text, TRUE);
}

static gboolean
has_guest_cursor (gpointer widget)
{
  GdkCursor *cursor = gtk_widget_get_cursor (widget);

  return cursor != NULL && gdk_cursor_get_texture (cursor) != NULL;
}

/* The pixel at X, Y of TEXTURE: cairo's ARGB32, premultiplied. */
static guint32
texture_pixel (GdkTexture *texture, int x, int y)
{
  int width = gdk_texture_get_width (texture);
  g_autofree guint32 *pixels = g_new (guint32, width * gdk_texture_get_height (texture));

  gdk_texture_download (texture, (guchar *) pixels, width * 4);
  return pixels[y * width + x];
}

static void
check_cursor (HangarConsolePage *page)
{
  GtkWidget *display = GTK_WIDGET (hangar_console_page_get_display (page));
  GdkCursor *cursor;
  GdkTexture *shape;

  wait_for (has_guest_cursor, display, "the pointer to take the guest's shape", 20);
  cursor = gtk_widget_get_cursor (display);
  shape = gdk_cursor_get_texture (cursor);
  g_assert_cmpint (gdk_texture_get_width (shape), ==, 12);
  g_assert_cmpint (gdk_texture_get_height (shape), ==, 18);
  g_assert_cmpint (gdk_cursor_get_hotspot_x (cursor), ==, 0);
  g_assert_cmpint (gdk_cursor_get_hotspot_y (cursor), ==, 0);
  /* The tip is outline, the middle white, beside and below it transparent. */
  g_assert_cmphex (texture_pixel (shape, 0, 0), ==, 0xff000000);
  g_assert_cmphex (texture_pixel (shape, 2, 8), ==, 0xffffffff);
  g_assert_cmphex (texture_pixel (shape, 11, 0), ==, 0);
  g_assert_cmphex (texture_pixel (shape, 5, 17), ==, 0);
}

static void
run_scenario (GtkApplication *app)
{
  HangarConnectionList *list = hangar_application_get_connections (HANGAR_APPLICATION (app));
  /* This Computer comes first. */
  g_autoptr (HangarConnection) connection =
      g_list_model_get_item (hangar_connection_list_get_model (list), 0);
  GtkWidget *window = GTK_WIDGET (gtk_application_get_active_window (app));
  HangarMachinePage *machine_page;
  HangarConsolePage *page;
  HangarMachine *machine;

  wait_for (is_connected, connection, "This Computer", 20);
  machine = hangar_connection_find_machine (connection, machine_name);
  g_assert_nonnull (machine);
  g_assert_cmpint (hangar_machine_get_state (machine), ==, HANGAR_MACHINE_STATE_STOPPED);
  /* Selects its row, as a click does, and shows the Console tab. */
  g_assert_true (hangar_window_show_machine (HANGAR_WINDOW (window), machine));
  machine_page = HANGAR_MACHINE_PAGE (find_widget (window, HANGAR_TYPE_MACHINE_PAGE));
  g_assert_true (hangar_machine_page_get_machine (machine_page) == machine);
  adw_view_stack_set_visible_child_name (
      ADW_VIEW_STACK (find_widget (GTK_WIDGET (machine_page), ADW_TYPE_VIEW_STACK)), "console");
  page = HANGAR_CONSOLE_PAGE (find_widget (GTK_WIDGET (machine_page), HANGAR_TYPE_CONSOLE_PAGE));
  g_assert_true (hangar_console_page_get_machine (page) == machine);
  spin (200);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (page)));
  g_assert_cmpstr (hangar_console_page_get_view (page), ==, "off");

  /* Start, as the Start button does. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (machine_page), "machine.start", NULL));
  expect_state (machine, HANGAR_MACHINE_STATE_RUNNING, 20);

  if (g_str_equal (mode, "spice"))
    {
      wait_for ((Condition) hangar_spice_display_get_has_screen,
                hangar_console_page_get_display (page), "the guest's screen", 20);
      check_spice (page, machine);
    }
  else if (g_str_equal (mode, "cursor"))
    {
      wait_for ((Condition) hangar_spice_display_get_has_screen,
                hangar_console_page_get_display (page), "the guest's screen", 20);
      check_cursor (page);
    }
  else if (g_str_equal (mode, "mouse"))
    {
      g_autoptr (HvStore) store = hv_store_new ();

      wait_for ((Condition) hangar_spice_display_get_has_screen,
                hangar_console_page_get_display (page), "the guest's screen", 20);
      check_mouse (page, machine, hv_store_get_runtime (store));
    }
  else
    {
      check_serial (page, machine);
    }
  g_application_quit (G_APPLICATION (app));
}

static void
on_activate (GtkApplication *app)
{
  g_idle_add_once ((GSourceOnceFunc) run_scenario, app);
}

/* A guest of a failed run (guests outlive the app) is killed. */
static void
kill_guest (HvStore *store)
{
  HvRuntime *runtime = hv_store_get_runtime (store);
  g_autoptr (HvGuestInfo) info = hv_runtime_lookup_guest (runtime, machine_name, NULL, NULL);

  if (info == NULL)
    return;
  hv_runtime_kill_guest (runtime, info, NULL);
}

/* The guest, defined afresh in This Computer's store (the build's own). */
static void
define_machine (HvStore *store)
{
  g_autoptr (HvMachineConfig) config = hv_machine_config_new (machine_name);
  g_autoptr (GError) error = NULL;

  kill_guest (store);
  hv_store_delete_machine (store, machine_name, TRUE, NULL);
  config->cpus = 1;
  config->memory_mib = 64;
  config->kernel = g_strdup (kernel);
  config->display = g_str_equal (mode, "serial") ? HV_DISPLAY_NONE : HV_DISPLAY_SPICE;
  g_assert_true (hv_store_create_machine (store, config, NULL, &error));
  g_assert_no_error (error);
}

int
main (int argc, char *argv[])
{
  g_autoptr (HangarApplication) app = NULL;
  g_autoptr (HvStore) store = hv_store_new ();
  char *app_argv[2];
  int status;

  g_assert_cmpint (argc, ==, 4);
  mode = argv[1];
  output_dir = argv[2];
  kernel = g_canonicalize_filename (argv[3], NULL);
  g_assert_true (g_str_equal (mode, "spice") || g_str_equal (mode, "serial") ||
                 g_str_equal (mode, "mouse") || g_str_equal (mode, "cursor"));
  g_mkdir_with_parents (output_dir, 0755);
  machine_name = g_strconcat ("console-", mode, NULL);
  g_setenv ("LANGUAGE", "C", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  define_machine (store);

  app = hangar_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), NULL);
  app_argv[0] = argv[0];
  app_argv[1] = NULL;
  status = g_application_run (G_APPLICATION (app), 1, app_argv);
  kill_guest (store);
  if (status == 0)
    hv_store_delete_machine (store, machine_name, TRUE, NULL);
  g_free (machine_name);
  g_free (kernel);
  return status;
}
