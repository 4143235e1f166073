/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gunixsocketaddress.h>

#include "hv-guest-info.h"
#include "hv-runtime-private.h"

struct _HvGuestInfo
{
  char *name;
  char *uuid;
  GPid pid;
  char *runtime_dir;
  char *control_path;
  char *console_path;
};

G_DEFINE_BOXED_TYPE (HvGuestInfo, hv_guest_info, hv_guest_info_ref, hv_guest_info_unref)

static void
guest_info_clear (HvGuestInfo *info)
{
  g_free (info->name);
  g_free (info->uuid);
  g_free (info->runtime_dir);
  g_free (info->control_path);
  g_free (info->console_path);
}

HvGuestInfo *
_hv_guest_info_new (const char *runtime_dir, const char *name, const char *uuid, GPid pid)
{
  HvGuestInfo *info = g_atomic_rc_box_new0 (HvGuestInfo);

  info->name = g_strdup (name);
  info->uuid = g_strdup (uuid);
  info->pid = pid;
  info->runtime_dir = g_strdup (runtime_dir);
  info->control_path = g_build_filename (runtime_dir, HV_CONTROL_SOCKET, NULL);
  info->console_path = g_build_filename (runtime_dir, HV_CONSOLE_SOCKET, NULL);
  return info;
}

HvGuestInfo *
hv_guest_info_ref (HvGuestInfo *info)
{
  return g_atomic_rc_box_acquire (info);
}

void
hv_guest_info_unref (HvGuestInfo *info)
{
  g_atomic_rc_box_release_full (info, (GDestroyNotify) guest_info_clear);
}

const char *
hv_guest_info_get_name (const HvGuestInfo *info)
{
  return info->name;
}

const char *
hv_guest_info_get_uuid (const HvGuestInfo *info)
{
  return info->uuid;
}

GPid
hv_guest_info_get_pid (const HvGuestInfo *info)
{
  return info->pid;
}

const char *
hv_guest_info_get_runtime_dir (const HvGuestInfo *info)
{
  return info->runtime_dir;
}

const char *
hv_guest_info_get_control_path (const HvGuestInfo *info)
{
  return info->control_path;
}

const char *
hv_guest_info_get_console_path (const HvGuestInfo *info)
{
  return info->console_path;
}

GSocketConnection *
hv_guest_info_connect_console (const HvGuestInfo *info, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (info != NULL, NULL);

  return _hv_connect_unix (info->console_path, cancellable, error);
}
