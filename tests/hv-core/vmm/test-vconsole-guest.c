/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hv-vmm with the "vconsole" tiny guest (tests/guests/vconsole.c): what
 * the guest writes to its virtio-console comes out of console2.sock, and
 * what a client writes there reaches the guest, which echoes it. Needs
 * /dev/kvm.
 *
 * Usage: test-vconsole-guest HV-VMM GUEST-PVH [--tap]
 */
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>

static const char *vmm_path;
static const char *guest_path;

/* Reads from SOCKET into OUT until it holds WANT (10 s at most). */
static void
read_until (GSocket *socket, GString *out, const char *want)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (strstr (out->str, want) == NULL)
    {
      g_autoptr (GError) error = NULL;
      char buf[256];
      gssize n;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      n = g_socket_receive (socket, buf, sizeof buf, NULL, &error);
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        continue;
      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      g_string_append_len (out, buf, n);
    }
}

static GSocket *
connect_when_there (const char *path)
{
  for (unsigned i = 0; i < 1000; i++)
    {
      g_autoptr (GSocket) socket =
          g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, NULL);
      g_autoptr (GSocketAddress) addr = g_unix_socket_address_new (path);

      if (g_socket_connect (socket, addr, NULL, NULL))
        {
          g_socket_set_timeout (socket, 1);
          return g_steal_pointer (&socket);
        }
      g_usleep (10000);
    }
  g_error ("no %s", path);
}

static void
test_echo (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("test-vconsole-guest-XXXXXX", NULL);
  g_autofree char *dir = g_build_filename (tmp, "vm", NULL);
  g_autofree char *log = g_build_filename (tmp, "console.log", NULL);
  g_autofree char *sock = g_build_filename (dir, "console2.sock", NULL);
  const char *argv[] = { vmm_path, "--name",   "vconsole", "--uuid",        "u", "--memory",
                         "64",     "--kernel", guest_path, "--runtime-dir", dir, "--console-log",
                         log,      NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  g_autofree char *com1 = NULL;
  GPid pid;
  int status;

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, &error);
  g_assert_no_error (error);
  socket = connect_when_there (sock);
  read_until (socket, out, "vconsole: ready\n");
  g_assert_cmpint (g_socket_send (socket, "ping", 4, NULL, &error), ==, 4);
  read_until (socket, out, "ping");
  g_assert_cmpint (g_socket_send (socket, " q", 2, NULL, &error), ==, 2);
  read_until (socket, out, "ping qbye\n");
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_true (g_file_get_contents (log, &com1, NULL, NULL));
  g_test_message ("COM1: %s", com1);
  g_assert_nonnull (strstr (com1, "1af4:1043\r\n"));
  g_assert_nonnull (strstr (com1, "vconsole: done\r\n"));
  g_assert_null (strstr (com1, "FAIL"));
  g_unlink (log);
  g_rmdir (dir);
  g_rmdir (tmp);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 3)
    g_error ("usage: %s HV-VMM GUEST-PVH", argv[0]);
  vmm_path = argv[1];
  guest_path = argv[2];
  g_test_add_func ("/hv-core/vconsole-guest/echo", test_echo);
  return g_test_run ();
}
