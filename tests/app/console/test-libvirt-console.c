/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Console tab's two consoles through the libvirt back end against a real
 * libvirtd with the QEMU driver (run-with-libvirtd.sh starts one of this
 * test's own), where libvirt's test driver has neither:
 *  - the serial console, virDomainOpenConsole's stream bridged into the
 *    terminal: the guest's own words arrive, and a line typed through the X
 *    server reaches the guest, which answers it;
 *  - the screen, a descriptor from virDomainOpenGraphicsFD for each SPICE
 *    channel: HangarSpiceDisplay shows the guest's banner on its VGA screen;
 *  - the serial port opened by another client (the back end's stream, as the
 *    API gives it) takes it from the terminal, which sees it end; the guest
 *    answers there too, and that stream ends when the machine is forced off;
 *  - then delete through the back end too.
 * run-with-libvirtd.sh runs it twice: over the local socket, and with --ssh
 * over a qemu+ssh:// URI, as a remote host is reached: the screen then listens
 * on the host's loopback and comes through the back end's `ssh -W` tunnel,
 * which sshd's log must show.
 * test-libvirt-console OUTPUT_DIR
 */
#include "config.h"

#include <adwaita.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "console-test-util.h"
#include "hangar-console-page.h"
#include "hangar-libvirt-connection.h"
#include "test-loop.h"

#define MACHINE_NAME "hangar-libvirt-console-test"

static const char *output_dir;
static const char *sshd_log; /* set over SSH only */

/* Locally libvirt hands over a descriptor for each channel
 * (virDomainOpenGraphicsFD): the screen needs no port. Over SSH the back end
 * reaches it from the domain's XML, a port on the host's loopback. */
static const char *
graphics_xml (void)
{
  if (sshd_log != NULL)
    return "    <graphics type='spice' autoport='yes'>"
           "<listen type='address' address='127.0.0.1'/></graphics>\n";
  return "    <graphics type='spice'><listen type='none'/></graphics>\n";
}

/* A TCG guest booting the console tests' kernel and initramfs directly: its
 * banner on the VGA screen, its shell on the first serial port. */
static char *
domain_xml (void)
{
  g_autofree char *head = g_markup_printf_escaped (
      "<domain type='qemu'>\n"
      "  <name>%s</name>\n"
      "  <memory unit='MiB'>256</memory>\n"
      "  <vcpu>1</vcpu>\n"
      "  <os>\n"
      "    <type arch='x86_64' machine='pc'>hvm</type>\n"
      "    <kernel>%s</kernel>\n"
      "    <initrd>%s</initrd>\n"
      "    <cmdline>console=ttyS0 quiet</cmdline>\n"
      "  </os>\n"
      "  <on_reboot>destroy</on_reboot>\n"
      "  <devices>\n"
      "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
      "    <serial type='pty'><target port='0'/></serial>\n"
      "    <console type='pty'><target type='serial' port='0'/></console>\n",
      MACHINE_NAME, g_getenv ("HANGAR_TEST_KERNEL"), g_getenv ("HANGAR_TEST_INITRD"));

  return g_strconcat (head, graphics_xml (),
                      "    <video><model type='vga'/></video>\n"
                      "  </devices>\n"
                      "</domain>\n",
                      NULL);
}

/* Defined with libvirt itself: what is under test is how Hangar finds, runs
 * and shows a machine it did not make. The domain is kept to read its
 * display's port later; its connection closes with it. */
static virDomainPtr
define_domain (const char *uri)
{
  g_autofree char *xml = domain_xml ();
  virConnectPtr conn = virConnectOpen (uri);
  virDomainPtr domain;

  if (conn == NULL)
    g_error ("could not connect to the test's libvirtd at %s: %s", uri, virGetLastErrorMessage ());
  domain = virDomainDefineXML (conn, xml);
  if (domain == NULL)
    g_error ("could not define the test guest: %s", virGetLastErrorMessage ());
  virConnectClose (conn);
  return domain;
}

static GtkWidget *
find_stack_with (GtkWidget *root, const char *child_name)
{
  if (GTK_IS_STACK (root) && gtk_stack_get_child_by_name (GTK_STACK (root), child_name) != NULL)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_stack_with (child, child_name);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
run_action (HangarMachine *machine, HangarMachineAction action, HangarMachineState state)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  StateWait wait = { machine, state };

  hangar_machine_run_action_async (machine, action, NULL, test_store_result, &result);
  hangar_machine_run_action_finish (machine, test_wait_for_result (&result, 30), &error);
  g_assert_no_error (error);
  g_assert_true (test_wait_until (has_state, &wait, 10));
}

static void
check_serial (HangarConsolePage *page)
{
  HangarSerialConsole *console = hangar_console_page_get_serial (page);
  VteTerminal *terminal = VTE_TERMINAL (console);
  /* The page opened the console when the machine started: the guest's first
   * words, which it writes unasked, are there. */
  TerminalWait ready = { terminal, "HANGAR-GUEST: ready" };
  TerminalWait answer = { terminal, "GOT:through libvirt" };
  g_autofree char *text = NULL;

  wait_for (terminal_shows, &ready, "the guest's first words on its serial console", 60);
  g_assert_true (hangar_serial_console_get_connected (console));
  click_widget (GTK_WIDGET (console));
  wait_for (is_focused, console, "the terminal to take the keyboard", 10);
  xdotool ("type --delay 20 'through libvirt'");
  xdotool ("key Return");
  wait_for (terminal_shows, &answer, "the guest's answer to the typed line", 20);
  text = vte_terminal_get_text (terminal, NULL, NULL, NULL);
  g_print ("# terminal text:\n%s\n", text);
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
  if (node == NULL)
    return NULL;
  return gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
}

typedef struct
{
  GtkWidget *display;
  guint lit;  /* pixels that are not black */
  guint blue; /* pixels of the banner's background (VGA blue, 0x0000aa) */
} PictureWait;

/* The guest's banner, yellow on blue, and not only a black screen: the picture
 * came from the guest's framebuffer through SPICE. */
static gboolean
shows_banner (gpointer data)
{
  PictureWait *wait = data;
  g_autoptr (GdkTexture) texture = NULL;
  g_autofree guint8 *pixels = NULL;
  int width, height;

  if (!hangar_spice_display_get_has_screen (HANGAR_SPICE_DISPLAY (wait->display)))
    return FALSE;
  texture = render_widget (wait->display);
  if (texture == NULL)
    return FALSE;
  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  pixels = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (texture, pixels, width * 4);
  wait->lit = wait->blue = 0;
  for (gsize i = 0; i < (gsize) width * height; i++)
    {
      /* Downloads are cairo's ARGB32: B, G, R, A in memory here. */
      const guint8 *p = pixels + i * 4;
      wait->lit += p[0] > 0x20 || p[1] > 0x20 || p[2] > 0x20;
      wait->blue += p[0] > 0x80 && p[1] < 0x40 && p[2] < 0x40;
    }
  /* The banner is 26 character cells of 9x16 pixels. */
  return wait->blue > 2000 && wait->lit > wait->blue + 500;
}

static void
check_screen (HangarConsolePage *page, GtkStack *modes)
{
  HangarSpiceDisplay *display = hangar_console_page_get_display (page);
  PictureWait wait = { GTK_WIDGET (display) };
  g_autofree char *path = g_build_filename (output_dir, "libvirt-console.png", NULL);
  g_autoptr (GdkTexture) texture = NULL;

  gtk_stack_set_visible_child_name (modes, "graphical");
  if (!test_wait_until (shows_banner, &wait, 30))
    g_error ("the console does not show the guest's banner: has screen %d, %u pixels lit, "
             "%u blue",
             hangar_spice_display_get_has_screen (display), wait.lit, wait.blue);
  g_print ("# the screen: %u pixels lit, %u of the banner's blue\n", wait.lit, wait.blue);
  g_assert_cmpstr (hangar_console_page_get_view (page), ==, "console");
  texture = render_widget (GTK_WIDGET (display));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_print ("# picture %s\n", path);
}

/* The port the running domain's screen listens on, as libvirt chose it. */
static guint
spice_port (virDomainPtr domain)
{
  g_autofree char *xml = virDomainGetXMLDesc (domain, 0);
  const char prefix[] = "<graphics type='spice' port='";
  const char *graphics = xml != NULL ? strstr (xml, prefix) : NULL;

  if (graphics == NULL)
    g_error ("the running domain's XML has no SPICE port:\n%s", xml);
  return (guint) g_ascii_strtoull (graphics + sizeof prefix - 1, NULL, 10);
}

/* The screen came through the back end's tunnel: sshd forwarded channels to
 * the display's port for `ssh -W`, which the local path
 * (virDomainOpenGraphicsFD) would not have asked for. */
static void
check_tunnel (virDomainPtr domain)
{
  guint port = spice_port (domain);
  g_autofree char *log = NULL;
  g_autofree char *target = g_strdup_printf (" port %u", port);
  g_auto (GStrv) lines = NULL;
  guint forwards = 0;

  g_assert_true (g_file_get_contents (sshd_log, &log, NULL, NULL));
  lines = g_strsplit (log, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    forwards += strstr (lines[i], "server_request_direct_tcpip:") != NULL &&
                g_str_has_suffix (g_strchomp (lines[i]), target);
  if (forwards == 0)
    g_error ("sshd forwarded nothing to the display's port %u: the screen did not come "
             "through the SSH tunnel (sshd.log in %s)",
             port, output_dir);
  g_print ("# sshd forwarded %u connections to the display's port %u\n", forwards, port);
}

/* Reads a GIOStream in the main loop, where the back end's pump runs. */
typedef struct
{
  GInputStream *input;
  GString *text;
  gboolean eof;
} Reader;

static void reader_read (Reader *reader);

static void
reader_done (GObject *source, GAsyncResult *result, gpointer data)
{
  Reader *reader = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = g_input_stream_read_bytes_finish (reader->input, result, &error);

  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      g_print ("# the stream ended: %s\n", error != NULL ? error->message : "end of stream");
      reader->eof = TRUE;
      return;
    }
  g_string_append_len (reader->text, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  reader_read (reader);
}

static void
reader_read (Reader *reader)
{
  g_input_stream_read_bytes_async (reader->input, 4096, G_PRIORITY_DEFAULT, NULL, reader_done,
                                   reader);
}

static gboolean
reader_ended (gpointer data)
{
  return ((Reader *) data)->eof;
}

static gboolean
is_disconnected (gpointer data)
{
  return !hangar_serial_console_get_connected (data);
}

/* A second client of the serial port: it takes the port from the page's
 * terminal (the console's FORCE), whose stream ends. */
static GIOStream *
take_serial (HangarMachine *machine, HangarConsolePage *page, Reader *reader)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  GIOStream *stream;
  GOutputStream *output;
  TextWait answer = { reader->text, "GOT:second client" };
  const char line[] = "second client\r";

  hangar_machine_open_serial_async (machine, NULL, test_store_result, &result);
  stream = hangar_machine_open_serial_finish (machine, test_wait_for_result (&result, 20), &error);
  g_assert_no_error (error);
  g_assert_nonnull (stream);
  wait_for (is_disconnected, hangar_console_page_get_serial (page),
            "the terminal's stream to end when another client takes the port", 10);

  reader->input = g_io_stream_get_input_stream (stream);
  reader_read (reader);
  output = g_io_stream_get_output_stream (stream);
  g_assert_true (g_output_stream_write_all (output, line, sizeof line - 1, NULL, NULL, &error));
  g_assert_no_error (error);
  wait_for (text_has, &answer, "the guest's answer on the second client's stream", 20);
  return stream;
}

static void
run (HangarConnection *connection, GtkWindow *window, virDomainPtr domain)
{
  HangarConsolePage *page = HANGAR_CONSOLE_PAGE (gtk_window_get_child (window));
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  HangarMachine *machine;
  GtkStack *modes;
  g_autoptr (GIOStream) stream = NULL;
  Reader reader = { NULL, g_string_new (NULL), FALSE };

  hangar_connection_open_async (connection, NULL, test_store_result, &result);
  hangar_connection_open_finish (connection, test_wait_for_result (&result, 30), &error);
  g_assert_no_error (error);
  machine = hangar_connection_find_machine (connection, MACHINE_NAME);
  g_assert_nonnull (machine);
  g_assert_true (hangar_machine_get_spec (machine)->graphics);

  hangar_console_page_set_machine (page, machine);
  modes = GTK_STACK (find_stack_with (GTK_WIDGET (page), "serial"));
  g_assert_nonnull (modes);
  /* The serial console first, so that it is open before the guest speaks;
   * the page opens the screen meanwhile too. */
  gtk_stack_set_visible_child_name (modes, "serial");
  spin (200);
  g_assert_cmpstr (hangar_console_page_get_view (page), ==, "off");

  run_action (machine, HANGAR_MACHINE_ACTION_START, HANGAR_MACHINE_STATE_RUNNING);
  check_serial (page);
  check_screen (page, modes);
  if (sshd_log != NULL)
    check_tunnel (domain);
  /* The page shows the screen now: it leaves the serial port to others. */
  stream = take_serial (machine, page, &reader);

  run_action (machine, HANGAR_MACHINE_ACTION_FORCE_OFF, HANGAR_MACHINE_STATE_STOPPED);
  wait_for (reader_ended, &reader, "the serial stream to end when the machine stops", 10);
  g_string_free (reader.text, TRUE);
  spin (200);
  g_assert_cmpstr (hangar_console_page_get_view (page), ==, "off");
  hangar_console_page_set_machine (page, NULL);

  /* Deleting takes the machine out of the connection's list. */
  g_object_ref (machine);
  g_clear_object (&result);
  hangar_machine_delete_async (machine, FALSE, NULL, test_store_result, &result);
  hangar_machine_delete_finish (machine, test_wait_for_result (&result, 30), &error);
  g_assert_no_error (error);
  g_object_unref (machine);
  g_assert_null (hangar_connection_find_machine (connection, MACHINE_NAME));
}

int
main (int argc, char *argv[])
{
  const char *uri = g_getenv ("HANGAR_TEST_LIBVIRT_URI");
  g_autoptr (HangarConnection) connection = NULL;
  GtkWindow *window;
  virDomainPtr domain;

  g_assert_cmpint (argc, ==, 2);
  g_assert_nonnull (uri);
  output_dir = argv[1];
  sshd_log = g_getenv ("HANGAR_TEST_SSHD_LOG");
  if (sshd_log != NULL)
    g_assert_true (g_str_has_prefix (uri, "qemu+ssh://"));
  g_mkdir_with_parents (output_dir, 0755);
  g_setenv ("LANGUAGE", "C", TRUE);
  gtk_init ();
  adw_init ();

  domain = define_domain (uri);
  connection = hangar_libvirt_connection_new (uri, NULL);

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_decorated (window, FALSE);
  gtk_window_set_default_size (window, 900, 600);
  gtk_window_set_child (window, hangar_console_page_new ());
  gtk_window_present (window);

  run (connection, window, domain);

  hangar_connection_close (connection);
  gtk_window_destroy (window);
  virDomainFree (domain);
  return 0;
}
