/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE /* accept4 */
#include "config.h"

#include "display-server.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <spice.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "display-module.h"
#include "spice-core.h"
#include "spice-display.h"
#include "spice-input.h"

#define DISPLAY_TCP_DEFAULT_ADDR "127.0.0.1"
#define DISPLAY_SOCKET_BUFFER    (4 * 1024 * 1024)

struct display_server
{
  SpiceServer *spice;
  DisplayQxl *qxl;
  DisplayInput *input;
  char *socket_path;
  int listen_fd;
  guint accept_id;
  unsigned clients;
};

static void
on_channel_event (int event, const SpiceChannelEventInfo *info, void *user_data)
{
  DisplayServer *server = user_data;

  if (info->type != SPICE_CHANNEL_DISPLAY)
    return;
  if (event == SPICE_CHANNEL_EVENT_INITIALIZED)
    server->clients++;
  else if (event == SPICE_CHANNEL_EVENT_DISCONNECTED && server->clients > 0)
    server->clients--;
  else
    return;
  if (server->qxl != NULL)
    display_qxl_set_active (server->qxl, server->clients > 0);
}

static gboolean
on_unix_client (int fd, GIOCondition condition, gpointer user_data)
{
  DisplayServer *server = user_data;
  int client = accept4 (fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

  if (client < 0)
    return G_SOURCE_CONTINUE;
  /* Whole frames are megabytes: a deeper socket buffer means fewer trips
   * through the main loops of both ends (the kernel caps it at wmem_max). */
  setsockopt (client, SOL_SOCKET, SO_SNDBUF, &(int){ DISPLAY_SOCKET_BUFFER }, sizeof (int));
  /* The socket's permissions already decided who may connect. */
  if (spice_server_add_client (server->spice, client, 1) != 0)
    close (client);
  return G_SOURCE_CONTINUE;
}

static gboolean
display_listen_unix (DisplayServer *server, GError **error)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd;

  if (strlen (server->socket_path) >= sizeof addr.sun_path)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG,
                   _ ("The display socket path %s is too long. Use a shorter runtime directory."),
                   server->socket_path);
      return FALSE;
    }
  strcpy (addr.sun_path, server->socket_path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0 || bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0 ||
      chmod (server->socket_path, 0600) < 0 || listen (fd, 16) < 0)
    {
      int saved = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _ ("Could not create the display socket %s: %s."), server->socket_path,
                   g_strerror (saved));
      return FALSE;
    }
  server->listen_fd = fd;
  server->accept_id = g_unix_fd_add (fd, G_IO_IN, on_unix_client, server);
  return TRUE;
}

static gboolean
display_configure_spice (DisplayServer *server, const DisplayConfig *config, GError **error)
{
  SpiceServer *s = server->spice;

  if (config->port != 0)
    {
      spice_server_set_port (s, config->port);
      spice_server_set_addr (s, config->addr != NULL ? config->addr : DISPLAY_TCP_DEFAULT_ADDR, 0);
      spice_server_set_ticket (s, config->password, 0, 0, 0);
      spice_server_set_image_compression (s, SPICE_IMAGE_COMPRESSION_AUTO_LZ);
    }
  else
    {
      /* Local clients only: copying pixels beats compressing them. */
      spice_server_set_image_compression (s, SPICE_IMAGE_COMPRESSION_OFF);
    }
  spice_server_set_streaming_video (s, SPICE_STREAM_VIDEO_OFF);
  spice_server_set_agent_mouse (s, 0);
  if (spice_server_init (s, display_core_get (on_channel_event, server)) != 0)
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_FAILED,
                   _ ("Could not start the display server (is TCP port %d free?). "
                      "Choose another port."),
                   config->port);
      return FALSE;
    }
  return TRUE;
}

static void
module_server_free (DisplayServer *server)
{
  if (server == NULL)
    return;
  g_clear_handle_id (&server->accept_id, g_source_remove);
  if (server->listen_fd >= 0)
    {
      close (server->listen_fd);
      g_unlink (server->socket_path);
    }
  if (server->qxl != NULL)
    display_qxl_set_active (server->qxl, FALSE);
  /* Stops the worker thread: nothing calls into the QXL device after this. */
  if (server->spice != NULL)
    {
      spice_server_vm_stop (server->spice);
      spice_server_destroy (server->spice);
    }
  display_core_get (NULL, NULL);
  g_clear_pointer (&server->qxl, display_qxl_free);
  g_clear_pointer (&server->input, display_input_free);
  g_free (server->socket_path);
  g_free (server);
}

static DisplayServer *
module_server_new (Vmm *vmm, const DisplayConfig *config, const char *socket_path, GError **error)
{
  DisplayServer *server;
  Framebuffer *fb = vmm_get_framebuffer (vmm);

  g_return_val_if_fail (fb != NULL, NULL);

  server = g_new0 (DisplayServer, 1);
  server->listen_fd = -1;
  server->socket_path = g_strdup (socket_path);
  server->spice = spice_server_new ();
  if (!display_configure_spice (server, config, error))
    goto fail;
  server->qxl = display_qxl_new (server->spice, fb, error);
  if (server->qxl == NULL)
    goto fail;
  server->input =
      display_input_new (server->spice, vmm_get_i8042 (vmm), vmm_get_virtio_keyboard (vmm),
                         vmm_get_virtio_tablet (vmm), error);
  if (server->input == NULL || !display_listen_unix (server, error))
    goto fail;
  spice_server_vm_start (server->spice);
  return server;

fail:
  module_server_free (server);
  return NULL;
}

static unsigned
module_get_clients (DisplayServer *server)
{
  return server->clients;
}

static void
module_get_stats (DisplayServer *server, guint64 *updates, guint64 *pixels)
{
  display_qxl_get_stats (server->qxl, updates, pixels);
}

/* The module's only exported symbol (the module is built with hidden
 * visibility): what hv-vmm's display-module.c looks up. */
__attribute__ ((visibility ("default"))) const DisplayModule hv_vmm_display_module = {
  .abi = DISPLAY_MODULE_ABI,
  .version = PACKAGE_VERSION,
  .server_new = module_server_new,
  .server_free = module_server_free,
  .get_clients = module_get_clients,
  .get_stats = module_get_stats,
};
