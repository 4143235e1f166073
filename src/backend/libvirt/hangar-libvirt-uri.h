/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The libvirt connection URIs behind the Add Connection dialog's choices. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  HANGAR_LIBVIRT_PRESET_QEMU_SYSTEM,
  HANGAR_LIBVIRT_PRESET_QEMU_SESSION,
  HANGAR_LIBVIRT_PRESET_XEN,
  HANGAR_LIBVIRT_PRESET_LXC,
  HANGAR_LIBVIRT_PRESET_CUSTOM,
} HangarLibvirtPreset;

/* The URI for PRESET, on this computer when HOST is NULL or empty, else over
 * SSH to HOST as USER (NULL or empty: the same user name as here). For the
 * custom preset, CUSTOM_URI as given. NULL with ERROR set when the input
 * cannot make a URI. */
char *hangar_libvirt_uri_build (HangarLibvirtPreset preset, const char *user, const char *host,
                                const char *custom_uri, GError **error);

/* A short name for people: "QEMU/KVM", "QEMU/KVM on lab-server"... */
char *hangar_libvirt_uri_describe (const char *uri);

/* Whether URI's daemon runs on this computer: it names no host, or
 * localhost (a URI that cannot be parsed counts as local, as libvirt's
 * defaults do). */
gboolean hangar_libvirt_uri_is_local (const char *uri);

/* Whether a connection to URI can hand the app file descriptors (a display's
 * socket from virDomainOpenGraphicsFD): only over the local daemon's UNIX
 * socket, never through a network transport, not even to this computer
 * (qemu+ssh://localhost/system). */
gboolean hangar_libvirt_uri_passes_fds (const char *uri);

G_END_DECLS
