/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The `tap` back end: the guest on a host bridge, as a tap device that is
 * a port of that bridge. Creating one and adding it to a bridge needs
 * CAP_NET_ADMIN; without it, a setuid helper with qemu-bridge-helper's
 * interface does both and passes the descriptor back (SCM_RIGHTS).
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net-fd-private.h"

/* Must match linux/sockios.h; that header clashes with net/if.h. */
#ifndef SIOCBRADDIF
#define SIOCBRADDIF 0x89a2
#endif

/* The helper's descriptor number in its own process. */
#define NET_HELPER_FD 3
/* The helper only creates a device: a long wait means it is stuck. */
#define NET_HELPER_TIMEOUT_MS 10000

/* WHAT says what failed; the system's reason follows it. */
static gboolean
set_errno_error (GError **error, int saved_errno, char *what)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno), "%s: %s", what,
               g_strerror (saved_errno));
  g_free (what);
  return FALSE;
}

static int
create_tap (const char *ifname, char *name_out, GError **error)
{
  struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
  int fd = open ("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);

  if (ifname != NULL)
    g_strlcpy (ifr.ifr_name, ifname, IFNAMSIZ);
  if (fd >= 0 && ioctl (fd, TUNSETIFF, &ifr) == 0)
    {
      g_strlcpy (name_out, ifr.ifr_name, IFNAMSIZ);
      return fd;
    }
  set_errno_error (error, errno,
                   g_strdup_printf (_ ("Cannot create the tap device “%s” (this needs "
                                       "CAP_NET_ADMIN; without it, use the bridge helper)"),
                                    ifname != NULL ? ifname : "tap"));
  if (fd >= 0)
    close (fd);
  return -1;
}

/* Adds IFNAME to BRIDGE and brings it up, through any socket's ioctls. */
static gboolean
join_bridge (const char *bridge, const char *ifname, GError **error)
{
  struct ifreq ifr = { 0 };
  int sock = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  gboolean ok = FALSE;

  g_strlcpy (ifr.ifr_name, bridge, IFNAMSIZ);
  ifr.ifr_ifindex = if_nametoindex (ifname);
  if (sock < 0 || ifr.ifr_ifindex == 0 || ioctl (sock, SIOCBRADDIF, &ifr) != 0)
    {
      set_errno_error (error, errno,
                       g_strdup_printf (_ ("Cannot add the tap device to the bridge “%s”; check "
                                           "that it exists"),
                                        bridge));
      goto out;
    }
  memset (&ifr, 0, sizeof ifr);
  g_strlcpy (ifr.ifr_name, ifname, IFNAMSIZ);
  if (ioctl (sock, SIOCGIFFLAGS, &ifr) != 0 ||
      (ifr.ifr_flags |= IFF_UP, ioctl (sock, SIOCSIFFLAGS, &ifr) != 0))
    {
      set_errno_error (error, errno,
                       g_strdup_printf (_ ("Cannot bring up the tap device “%s”"), ifname));
      goto out;
    }
  ok = TRUE;
out:
  if (sock >= 0)
    close (sock);
  return ok;
}

NetBackend *
net_backend_tap_new (const char *bridge, const char *ifname, const guint8 *mac,
                     GMainContext *context, GError **error)
{
  char name[IFNAMSIZ] = "";
  int fd = create_tap (ifname, name, error);

  if (fd < 0)
    return NULL;
  if (bridge != NULL && !join_bridge (bridge, name, error))
    {
      close (fd);
      return NULL;
    }
  return _net_fd_backend_new (fd, FALSE, 0, mac, context);
}

NetBackend *
net_backend_tap_new_for_fd (int tap_fd, const guint8 *mac, GMainContext *context, GError **error)
{
  struct ifreq ifr = { 0 };
  int hdr_len = 0;

  errno = 0;
  if (ioctl (tap_fd, TUNGETIFF, &ifr) != 0 || !(ifr.ifr_flags & IFF_TAP) ||
      ((ifr.ifr_flags & IFF_VNET_HDR) && ioctl (tap_fd, TUNGETVNETHDRSZ, &hdr_len) != 0) ||
      hdr_len < 0 || hdr_len > 20 || !g_unix_set_fd_nonblocking (tap_fd, TRUE, NULL))
    {
      set_errno_error (error, errno != 0 ? errno : EINVAL,
                       g_strdup (_ ("The descriptor passed is not a usable tap device")));
      close (tap_fd);
      return NULL;
    }
  fcntl (tap_fd, F_SETFD, FD_CLOEXEC);
  return _net_fd_backend_new (tap_fd, FALSE, hdr_len, mac, context);
}

/* The descriptor in one SCM_RIGHTS message on SOCK, or -1. */
static int
receive_fd (int sock)
{
  char byte;
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
  struct pollfd pfd = { sock, POLLIN, 0 };
  struct cmsghdr *cmsg;
  int fd;

  if (poll (&pfd, 1, NET_HELPER_TIMEOUT_MS) <= 0 || recvmsg (sock, &msg, MSG_CMSG_CLOEXEC) <= 0)
    return -1;
  cmsg = CMSG_FIRSTHDR (&msg);
  if (cmsg == NULL || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS ||
      cmsg->cmsg_len != CMSG_LEN (sizeof (int)))
    return -1;
  memcpy (&fd, CMSG_DATA (cmsg), sizeof fd);
  return fd;
}

static gboolean
spawn_helper (const char *helper, const char *bridge, int child_sock, GPid *pid, GError **error)
{
  g_autofree char *br = g_strdup_printf ("--br=%s", bridge);
  g_autofree char *fd = g_strdup_printf ("--fd=%d", NET_HELPER_FD);
  const char *argv[] = { helper, "--use-vnet", br, fd, NULL };
  int source_fds[] = { child_sock };
  int target_fds[] = { NET_HELPER_FD };

  return g_spawn_async_with_pipes_and_fds (NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                           -1, -1, -1, source_fds, target_fds, 1, pid, NULL, NULL,
                                           NULL, error);
}

static gboolean
reap_helper (GPid pid, const char *helper, const char *bridge, GError **error)
{
  int status = 0;

  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  g_spawn_close_pid (pid);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return TRUE;
  g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_PERMISSION_DENIED,
               _ ("The bridge helper “%s” could not attach a tap device to “%s”: check that it "
                  "is installed setuid and that its configuration allows that bridge"),
               helper, bridge);
  return FALSE;
}

int
net_tap_open_with_helper (const char *helper, const char *bridge, GError **error)
{
  int socks[2];
  GPid pid = 0;
  int fd;

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, socks) != 0)
    {
      set_errno_error (error, errno,
                       g_strdup_printf (_ ("Cannot run the bridge helper “%s”"), helper));
      return -1;
    }
  if (!spawn_helper (helper, bridge, socks[1], &pid, error))
    {
      close (socks[0]);
      close (socks[1]);
      return -1;
    }
  close (socks[1]);
  fd = receive_fd (socks[0]);
  close (socks[0]);
  /* A helper that timed out is killed rather than waited for. */
  if (fd < 0)
    kill (pid, SIGKILL);
  if (!reap_helper (pid, helper, bridge, error))
    {
      if (fd >= 0)
        close (fd);
      return -1;
    }
  if (fd < 0)
    g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_FAILED,
                 _ ("The bridge helper “%s” did not pass a tap device back"), helper);
  return fd;
}
