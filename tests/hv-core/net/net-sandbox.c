/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE /* unshare () */
#include "config.h"

#include "net-sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

static void G_GNUC_NORETURN
sandbox_fail (const char *what)
{
  int saved_errno = errno;

  g_printerr ("Bail out! %s: %s. The network tests need network and mount namespaces: run "
              "them as root (as CI does), or allow unprivileged user namespaces "
              "(sysctl kernel.unprivileged_userns_clone=1).\n",
              what, g_strerror (saved_errno));
  exit (1);
}

static void
write_file (const char *path, const char *contents)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);

  if (fd < 0 || write (fd, contents, strlen (contents)) != (ssize_t) strlen (contents))
    sandbox_fail (path);
  close (fd);
}

/* As an unprivileged user: become root of a user namespace first. */
static void
enter_user_namespace (void)
{
  g_autofree char *uid_map = g_strdup_printf ("0 %u 1", (unsigned) getuid ());
  g_autofree char *gid_map = g_strdup_printf ("0 %u 1", (unsigned) getgid ());

  if (unshare (CLONE_NEWUSER) != 0)
    sandbox_fail ("unshare (CLONE_NEWUSER)");
  write_file ("/proc/self/setgroups", "deny");
  write_file ("/proc/self/uid_map", uid_map);
  write_file ("/proc/self/gid_map", gid_map);
}

static void
loopback_up (void)
{
  struct ifreq ifr = { .ifr_name = "lo" };
  int sock = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

  if (sock < 0 || ioctl (sock, SIOCGIFFLAGS, &ifr) != 0)
    sandbox_fail ("SIOCGIFFLAGS lo");
  ifr.ifr_flags |= IFF_UP;
  if (ioctl (sock, SIOCSIFFLAGS, &ifr) != 0)
    sandbox_fail ("SIOCSIFFLAGS lo");
  close (sock);
}

static void
replace_resolv_conf (const char *contents)
{
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("hv-net-resolv-XXXXXX", &path, NULL);

  if (fd < 0 || !g_file_set_contents (path, contents, -1, NULL))
    sandbox_fail ("a temporary resolv.conf");
  close (fd);
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    sandbox_fail ("making / private");
  if (mount (path, "/etc/resolv.conf", NULL, MS_BIND, NULL) != 0)
    sandbox_fail ("bind-mounting /etc/resolv.conf");
  /* The mount holds the file; the name can go. */
  g_unlink (path);
}

void
net_sandbox_enter (const char *resolv_conf)
{
  if (unshare (CLONE_NEWNET | CLONE_NEWNS) != 0)
    {
      if (errno != EPERM)
        sandbox_fail ("unshare (CLONE_NEWNET | CLONE_NEWNS)");
      enter_user_namespace ();
      if (unshare (CLONE_NEWNET | CLONE_NEWNS) != 0)
        sandbox_fail ("unshare (CLONE_NEWNET | CLONE_NEWNS)");
    }
  loopback_up ();
  if (resolv_conf != NULL)
    replace_resolv_conf (resolv_conf);
}

void
net_sandbox_ip (const char *first_arg, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  va_list args;

  g_autofree char *ip = g_find_program_in_path ("ip");

  /* /usr/sbin may not be on a user's PATH. */
  g_ptr_array_add (argv, ip != NULL ? ip : (char *) "/usr/sbin/ip");
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err,
                     &status, &error))
    g_error ("cannot run ip (install iproute2): %s", error->message);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("ip %s failed: %s", first_arg, err);
}
