/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hv-vmm's display end to end: a tiny guest draws into the framebuffer, and a
 * headless SPICE client (spice-client-glib, no GTK) must see the pattern on
 * the primary surface; keys and mouse motion sent through SPICE's inputs
 * channel must reach a guest that echoes the i8042's bytes; screendump must
 * write the pattern as a PNG; and a TCP display must refuse a client without
 * the ticket.
 *
 *   test-display --vmm=PATH/hv-vmm --hvctl=PATH/hvctl --images=DIR
 *
 * Each guest's runtime directory is laid out as libhvcore's, under a private
 * XDG_RUNTIME_DIR, so that hvctl finds it.
 */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <spice-client.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fbpattern.h"

#include "test-tree.h"

#define WIDTH      320
#define HEIGHT     200
#define TIMEOUT_S  60
#define TICKET     "open-sesame"
#define GUEST_UUID "00000000-0000-0000-0000-0000000000d1"

static char *vmm_path;
static char *hvctl_path;
static char *image_dir;

typedef struct
{
  char *tmp;
  char *xdg; /* XDG_RUNTIME_DIR for hvctl */
  char *runtime_dir;
  char *log;
  GPid pid;
} Guest;

typedef struct
{
  SpiceSession *session;
  SpiceChannel *display;
  SpiceInputsChannel *inputs;
  SpiceMainChannel *main;
  gboolean primary;
  gboolean inputs_open;
  gboolean auth_failed;
  gboolean main_open;
} Client;

/* Helpers */

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until CHECK (DATA) holds; fails after TIMEOUT_S. */
static void
wait_for (gboolean (*check) (gpointer), gpointer data, const char *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (TIMEOUT_S, on_timeout, &timed_out);

  while (!check (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("timed out waiting for %s", what);
  g_source_remove (id);
}

static gboolean
wake_up (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* The guest */

/* A failed assertion aborts the test: its guests must not outlive it. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static Guest *
guest_start (const char *image, const char *display)
{
  Guest *g = g_new0 (Guest, 1);
  g_autofree char *kernel = g_build_filename (image_dir, image, NULL);
  g_autoptr (GError) error = NULL;
  char ready[64] = "";
  int out_fd;
  ssize_t n;

  g->tmp = g_dir_make_tmp ("hv-display-XXXXXX", &error);
  g_assert_no_error (error);
  g->xdg = g_build_filename (g->tmp, "xdg", NULL);
  g->runtime_dir = g_build_filename (g->xdg, "hangar", "vms", GUEST_UUID, NULL);
  g->log = g_build_filename (g->tmp, "console.log", NULL);
  g_assert_cmpint (g_mkdir_with_parents (g->runtime_dir, 0700), ==, 0);
  {
    const char *argv[] = {
      vmm_path,       "--name",     "display-test",
      "--uuid",       GUEST_UUID,   "--runtime-dir",
      g->runtime_dir, "--kernel",   kernel,
      "--memory",     "32",         "--console-log",
      g->log,         "--ready-fd", "1",
      "--display",    display,      NULL,
    };

    g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                              die_with_parent, NULL, &g->pid, NULL, &out_fd, NULL, &error);
    g_assert_no_error (error);
  }
  n = read (out_fd, ready, sizeof ready - 1);
  close (out_fd);
  g_assert_cmpint (n, >, 0);
  g_assert_cmpstr (ready, ==, "OK\n");
  return g;
}

static void
guest_free (Guest *g)
{
  int status;

  kill (g->pid, SIGTERM);
  waitpid (g->pid, &status, 0);
  g_spawn_close_pid (g->pid);
  /* SIGTERM is a clean quit: status 0, runtime directory gone. */
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_false (g_file_test (g->runtime_dir, G_FILE_TEST_EXISTS));
  test_remove_tree (g->tmp);
  g_free (g->tmp);
  g_free (g->xdg);
  g_free (g->runtime_dir);
  g_free (g->log);
  g_free (g);
}

typedef struct
{
  Guest *guest;
  const char *text;
} LogWait;

static gboolean
log_has (gpointer data)
{
  LogWait *w = data;
  g_autofree char *log = NULL;

  g_file_get_contents (w->guest->log, &log, NULL, NULL);
  return log != NULL && strstr (log, w->text) != NULL;
}

static void
guest_wait_log (Guest *g, const char *text)
{
  LogWait w = { g, text };
  guint tick = g_timeout_add (20, wake_up, NULL);

  wait_for (log_has, &w, text);
  g_source_remove (tick);
}

static char *
guest_socket (Guest *g, const char *name)
{
  return g_build_filename (g->runtime_dir, name, NULL);
}

/* One command on control.sock; returns the reply line. */
static char *
guest_command (Guest *g, const char *json)
{
  g_autofree char *path = guest_socket (g, "control.sock");
  g_autoptr (GSocketClient) sc = g_socket_client_new ();
  g_autoptr (GSocketAddress) addr = g_unix_socket_address_new (path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketConnection) conn =
      g_socket_client_connect (sc, G_SOCKET_CONNECTABLE (addr), NULL, &error);
  g_autoptr (GDataInputStream) in = NULL;
  g_autofree char *line = g_strconcat (json, "\n", NULL);

  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), line,
                             strlen (line), NULL, NULL, &error);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (conn)));
  for (;;)
    {
      char *reply = g_data_input_stream_read_line (in, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (reply);
      if (strstr (reply, "\"return\"") != NULL || strstr (reply, "\"error\"") != NULL)
        return reply;
      g_free (reply);
    }
}

/* The SPICE client */

static void
on_primary_create (SpiceChannel *channel, gint format, gint width, gint height, gint stride,
                   gint shmid, gpointer imgdata, gpointer user_data)
{
  Client *c = user_data;

  g_assert_cmpint (width, ==, WIDTH);
  g_assert_cmpint (height, ==, HEIGHT);
  c->primary = TRUE;
}

static void
on_channel_event (SpiceChannel *channel, SpiceChannelEvent event, gpointer user_data)
{
  Client *c = user_data;

  if (event == SPICE_CHANNEL_ERROR_AUTH)
    c->auth_failed = TRUE;
  if (event == SPICE_CHANNEL_OPENED && SPICE_IS_INPUTS_CHANNEL (channel))
    c->inputs_open = TRUE;
  if (event == SPICE_CHANNEL_OPENED && SPICE_IS_MAIN_CHANNEL (channel))
    c->main_open = TRUE;
}

static void
on_channel_new (SpiceSession *session, SpiceChannel *channel, gpointer user_data)
{
  Client *c = user_data;

  g_signal_connect (channel, "channel-event", G_CALLBACK (on_channel_event), c);
  if (SPICE_IS_DISPLAY_CHANNEL (channel))
    {
      c->display = channel;
      g_signal_connect (channel, "display-primary-create", G_CALLBACK (on_primary_create), c);
      spice_channel_connect (channel);
    }
  else if (SPICE_IS_INPUTS_CHANNEL (channel))
    {
      c->inputs = SPICE_INPUTS_CHANNEL (channel);
      spice_channel_connect (channel);
    }
  else if (SPICE_IS_MAIN_CHANNEL (channel))
    c->main = SPICE_MAIN_CHANNEL (channel);
}

static Client *
client_new (void)
{
  Client *c = g_new0 (Client, 1);

  c->session = spice_session_new ();
  g_object_set (c->session, "enable-audio", FALSE, "enable-usbredir", FALSE, NULL);
  g_signal_connect (c->session, "channel-new", G_CALLBACK (on_channel_new), c);
  return c;
}

static Client *
client_connect_unix (Guest *g)
{
  Client *c = client_new ();
  g_autofree char *path = guest_socket (g, "spice.sock");

  g_object_set (c->session, "unix-path", path, NULL);
  g_assert_true (spice_session_connect (c->session));
  return c;
}

static void
client_free (Client *c)
{
  GList *channels = spice_session_get_channels (c->session);

  /* The channels report their closing later, from the main loop: not to C. */
  for (GList *l = channels; l != NULL; l = l->next)
    g_signal_handlers_disconnect_by_data (l->data, c);
  g_list_free (channels);
  g_signal_handlers_disconnect_by_data (c->session, c);
  spice_session_disconnect (c->session);
  g_object_unref (c->session);
  g_free (c);
}

static gboolean
client_has_primary (gpointer data)
{
  return ((Client *) data)->primary;
}

static gboolean
client_inputs_open (gpointer data)
{
  return ((Client *) data)->inputs_open;
}

/* The client asks for client mouse mode wherever the server offers it. */
static gboolean
client_mouse_mode_is_client (gpointer data)
{
  Client *c = data;
  int mode = 0;

  if (c->main == NULL)
    return FALSE;
  g_object_get (c->main, "mouse-mode", &mode, NULL);
  return mode == SPICE_MOUSE_MODE_CLIENT;
}

/* The pattern */

static gboolean
pixels_match (const guint8 *data, int stride, int bpp, gboolean bgrx)
{
  for (int y = 0; y < HEIGHT; y++)
    for (int x = 0; x < WIDTH; x++)
      {
        const guint8 *p = data + (gsize) y * stride + x * bpp;
        guint32 want = fbpattern_pixel (x, y, WIDTH, HEIGHT);
        guint32 got = bgrx ? (p[2] << 16 | p[1] << 8 | p[0]) : (p[0] << 16 | p[1] << 8 | p[2]);

        if (got != want)
          return FALSE;
      }
  return TRUE;
}

static gboolean
client_shows_pattern (gpointer data)
{
  Client *c = data;
  SpiceDisplayPrimary primary;

  if (c->display == NULL || !spice_display_channel_get_primary (c->display, 0, &primary))
    return FALSE;
  g_assert_cmpint (primary.width, ==, WIDTH);
  g_assert_cmpint (primary.height, ==, HEIGHT);
  return pixels_match (primary.data, primary.stride, 4, TRUE);
}

static char *
display_option (void)
{
  return g_strdup_printf ("spice,width=%d,height=%d", WIDTH, HEIGHT);
}

/* Tests */

static void
test_pattern_on_spice_surface (void)
{
  g_autofree char *display = display_option ();
  Guest *g = guest_start ("fbpattern.bzImage", display);
  Client *c = client_connect_unix (g);
  guint tick = g_timeout_add (20, wake_up, NULL);
  g_autofree char *reply = NULL;

  wait_for (client_has_primary, c, "the primary surface");
  guest_wait_log (g, "fbpattern: done 320x200");
  /* The same memory is BAR 0 of a PCI display controller. */
  guest_wait_log (g, "fbpattern: pci bar0 matches");
  wait_for (client_shows_pattern, c, "the pattern on the SPICE surface");
  reply = guest_command (g, "{\"execute\": \"query-display\"}");
  g_assert_nonnull (strstr (reply, "\"width\":320"));
  g_assert_nonnull (strstr (reply, "\"clients\":1"));
  g_source_remove (tick);
  client_free (c);
  guest_free (g);
}

static void
assert_png_shows_pattern (const char *png)
{
  g_autoptr (GdkPixbuf) pixbuf = NULL;
  g_autoptr (GError) error = NULL;

  pixbuf = gdk_pixbuf_new_from_file (png, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, WIDTH);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, HEIGHT);
  g_assert_true (pixels_match (gdk_pixbuf_read_pixels (pixbuf), gdk_pixbuf_get_rowstride (pixbuf),
                               gdk_pixbuf_get_n_channels (pixbuf), FALSE));
}

static void
test_screendump (void)
{
  g_autofree char *display = display_option ();
  Guest *g = guest_start ("fbpattern.bzImage", display);
  g_autofree char *png = g_build_filename (g->tmp, "shot.png", NULL);
  g_autofree char *cmd = NULL;
  g_autofree char *reply = NULL;

  guest_wait_log (g, "fbpattern: done");
  cmd =
      g_strdup_printf ("{\"execute\": \"screendump\", \"arguments\": {\"filename\": \"%s\"}}", png);
  reply = guest_command (g, cmd);
  g_assert_nonnull (strstr (reply, "\"return\""));
  assert_png_shows_pattern (png);
  g_clear_pointer (&reply, g_free);
  reply = guest_command (g, "{\"execute\": \"screendump\", \"arguments\": {}}");
  g_assert_nonnull (strstr (reply, "InvalidParameter"));
  guest_free (g);
}

static void
test_hvctl_screenshot (void)
{
  g_autofree char *display = display_option ();
  Guest *g = guest_start ("fbpattern.bzImage", display);
  g_autofree char *png = g_build_filename (g->tmp, "hvctl.png", NULL);
  g_auto (GStrv) env = g_environ_setenv (g_get_environ (), "XDG_RUNTIME_DIR", g->xdg, TRUE);
  const char *argv[] = { hvctl_path, "screenshot", "display-test", png, NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;
  int status;

  guest_wait_log (g, "fbpattern: done");
  g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err, &status,
                &error);
  g_assert_no_error (error);
  g_test_message ("hvctl: %s", err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  assert_png_shows_pattern (png);
  guest_free (g);
}

static void
test_spice_keyboard_and_mouse (void)
{
  g_autofree char *display = display_option ();
  Guest *g = guest_start ("kbdecho.bzImage", display);
  Client *c = client_connect_unix (g);
  guint tick = g_timeout_add (20, wake_up, NULL);

  guest_wait_log (g, "kbdecho: ready");
  wait_for (client_inputs_open, c, "the inputs channel");
  spice_inputs_channel_key_press (c->inputs, 0x1e); /* A */
  spice_inputs_channel_key_release (c->inputs, 0x1e);
  guest_wait_log (g, "kbd: 1e\r\nkbd: 9e");
  spice_inputs_channel_motion (c->inputs, 5, 3, 0);
  /* 3 down in SPICE is -3 in PS/2: Y sign bit, 0xfd. */
  guest_wait_log (g, "aux: 28\r\naux: 05\r\naux: fd");
  g_source_remove (tick);
  client_free (c);
  guest_free (g);
}

/* The virtio tablet: SPICE offers client mouse mode once the guest's
 * driver took the event queue, and an absolute position reaches the
 * guest as ABS_X, ABS_Y and SYN, scaled to 0..32767. */
static void
test_spice_tablet (void)
{
  g_autofree char *display = display_option ();
  Guest *g = guest_start ("vinput.bzImage", display);
  Client *c = client_connect_unix (g);
  guint tick = g_timeout_add (20, wake_up, NULL);

  guest_wait_log (g, "vinput: ready");
  wait_for (client_inputs_open, c, "the inputs channel");
  wait_for (client_mouse_mode_is_client, c, "client mouse mode");
  spice_inputs_channel_position (c->inputs, WIDTH - 1, 0, 0, 0);
  guest_wait_log (g, "ev: 3 0 32767\r\nev: 3 1 0\r\nev: 0 0 0");
  spice_inputs_channel_button_press (c->inputs, SPICE_MOUSE_BUTTON_LEFT,
                                     SPICE_MOUSE_BUTTON_MASK_LEFT);
  guest_wait_log (g, "ev: 1 272 1\r\nev: 0 0 0"); /* BTN_LEFT down */
  g_source_remove (tick);
  client_free (c);
  guest_free (g);
}

static void
test_send_key (void)
{
  g_autofree char *display = display_option ();
  Guest *g = guest_start ("kbdecho.bzImage", display);
  g_autofree char *reply = NULL;

  guest_wait_log (g, "kbdecho: ready");
  reply = guest_command (
      g, "{\"execute\": \"send-key\", \"arguments\": {\"keys\": [\"ctrl\", \"alt\", \"delete\"]}}");
  g_assert_nonnull (strstr (reply, "\"return\""));
  guest_wait_log (g, "kbd: 1d\r\nkbd: 38\r\nkbd: e0\r\nkbd: 53\r\n"
                     "kbd: e0\r\nkbd: d3\r\nkbd: b8\r\nkbd: 9d");
  g_clear_pointer (&reply, g_free);
  reply = guest_command (g, "{\"execute\": \"send-key\", \"arguments\": {\"keys\": [\"nokey\"]}}");
  g_assert_nonnull (strstr (reply, "InvalidParameter"));
  guest_free (g);
}

static int
free_tcp_port (void)
{
  g_autoptr (GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, 0, NULL);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (s, addr, TRUE, NULL));
  bound = g_socket_get_local_address (s, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static Client *
client_connect_tcp (int port, const char *password)
{
  Client *c = client_new ();
  g_autofree char *port_str = g_strdup_printf ("%d", port);

  g_object_set (c->session, "host", "127.0.0.1", "port", port_str, NULL);
  if (password != NULL)
    g_object_set (c->session, "password", password, NULL);
  g_assert_true (spice_session_connect (c->session));
  return c;
}

static gboolean
client_refused (gpointer data)
{
  return ((Client *) data)->auth_failed;
}

static void
test_tcp_needs_ticket (void)
{
  int port = free_tcp_port ();
  g_autofree char *display =
      g_strdup_printf ("spice,width=%d,height=%d,port=%d,password=" TICKET, WIDTH, HEIGHT, port);
  Guest *g = guest_start ("kbdecho.bzImage", display);
  Client *c = client_connect_tcp (port, NULL);

  wait_for (client_refused, c, "the refusal of a client without the ticket");
  g_assert_false (c->main_open);
  client_free (c);
  c = client_connect_tcp (port, "wrong");
  wait_for (client_refused, c, "the refusal of a wrong ticket");
  client_free (c);
  c = client_connect_tcp (port, TICKET);
  wait_for (client_has_primary, c, "the primary surface over TCP");
  g_assert_false (c->auth_failed);
  client_free (c);
  guest_free (g);
}

int
main (int argc, char **argv)
{
  GOptionEntry entries[] = {
    { "vmm", 0, 0, G_OPTION_ARG_FILENAME, &vmm_path, "hv-vmm", "PATH" },
    { "hvctl", 0, 0, G_OPTION_ARG_FILENAME, &hvctl_path, "hvctl", "PATH" },
    { "images", 0, 0, G_OPTION_ARG_FILENAME, &image_dir, "test guest images", "DIR" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_ignore_unknown_options (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error) || vmm_path == NULL ||
      hvctl_path == NULL || image_dir == NULL)
    g_error ("usage: test-display --vmm=PATH --hvctl=PATH --images=DIR");
  g_test_add_func ("/display/spice/pattern", test_pattern_on_spice_surface);
  g_test_add_func ("/display/screendump", test_screendump);
  g_test_add_func ("/display/hvctl-screenshot", test_hvctl_screenshot);
  g_test_add_func ("/display/spice/keyboard-and-mouse", test_spice_keyboard_and_mouse);
  g_test_add_func ("/display/spice/tablet", test_spice_tablet);
  g_test_add_func ("/display/send-key", test_send_key);
  g_test_add_func ("/display/spice/tcp-ticket", test_tcp_needs_ticket);
  return g_test_run ();
}
