/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Stands in for qemu-bridge-helper in the tests, with its interface:
 * --use-vnet --br=BRIDGE --fd=N. Creates a tap (with a virtio-net header
 * under --use-vnet), puts it on BRIDGE with ip(8), and passes it back on
 * descriptor N. The real helper is setuid and reads an ACL from
 * /etc/qemu; this one runs as the (namespaced) root the test is.
 */
#include "config.h"

#include <fcntl.h>
#include <glib.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int
create_tap (gboolean vnet, char *name)
{
  struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0) };
  int fd = open ("/dev/net/tun", O_RDWR);

  if (fd < 0 || ioctl (fd, TUNSETIFF, &ifr) != 0)
    return -1;
  g_strlcpy (name, ifr.ifr_name, IFNAMSIZ);
  return fd;
}

static gboolean
join_bridge (const char *name, const char *bridge)
{
  g_autofree char *ip = g_find_program_in_path ("ip");
  const char *argv[] = {
    ip != NULL ? ip : "/usr/sbin/ip", "link", "set", name, "master", bridge, "up", NULL,
  };
  int status = 0;

  return g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL,
                       NULL, &status, NULL) &&
         g_spawn_check_wait_status (status, NULL);
}

static gboolean
send_fd (int sock, int fd)
{
  char byte = 0;
  struct iovec iov = { &byte, 1 };
  union
  {
    struct cmsghdr header;
    char space[CMSG_SPACE (sizeof (int))];
  } control = { 0 };
  struct msghdr msg = {
    .msg_iov = &iov,
    .msg_iovlen = 1,
    .msg_control = &control,
    .msg_controllen = sizeof control,
  };
  struct cmsghdr *cmsg = CMSG_FIRSTHDR (&msg);

  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (cmsg), &fd, sizeof fd);
  return sendmsg (sock, &msg, 0) == 1;
}

int
main (int argc, char **argv)
{
  gboolean vnet = FALSE;
  const char *bridge = NULL;
  int sock = -1;
  char name[IFNAMSIZ];
  int fd;

  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--use-vnet"))
      vnet = TRUE;
    else if (g_str_has_prefix (argv[i], "--br="))
      bridge = argv[i] + strlen ("--br=");
    else if (g_str_has_prefix (argv[i], "--fd="))
      sock = atoi (argv[i] + strlen ("--fd="));
  if (bridge == NULL || sock < 0)
    return 2;
  fd = create_tap (vnet, name);
  if (fd < 0 || !join_bridge (name, bridge) || !send_fd (sock, fd))
    return 1;
  return 0;
}
