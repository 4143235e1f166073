/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The SPICE display as a module (hv-vmm-spice.so) that hv-vmm dlopen()s
 * only for --display spice: spice-server and what it brings (pixman,
 * OpenSSL, GStreamer, libstdc++, ...) are megabytes of mappings and
 * relocations that a headless guest would pay for at every start.
 *
 * The two sides meet in two places, both small and listed:
 * - hv-vmm -> module: one exported table, DisplayModule, below.
 * - module -> hv-vmm: the module calls the device models of hv-vmm
 *   (framebuffer, i8042, virtio-input) directly. hv-vmm exports exactly
 *   those functions (hv-vmm-spice.dynlist, given to the linker), and the
 *   module is linked with undefined references to them. A table of
 *   callbacks would have to repeat and wrap each of the twenty-odd device
 *   functions the SPICE glue uses, once more for every new one; the
 *   dynamic list names them once, keeps the glue's code as it is, and
 *   dlopen (RTLD_NOW) refuses a module that needs anything not on it.
 */
#pragma once

#include <glib.h>

#include "display-config.h"
#include "display-server.h"
#include "vmm.h"

/* The module's file name, and the environment variable that overrides
 * where hv-vmm looks for it (a full path; tests). */
#define DISPLAY_MODULE_NAME "hv-vmm-spice.so"
#define DISPLAY_MODULE_ENV  "HV_VMM_SPICE_MODULE"

/* The one symbol the module exports: a const DisplayModule. */
#define DISPLAY_MODULE_SYMBOL "hv_vmm_display_module"

/* Bumped whenever DisplayModule, DisplayConfig or the exported functions of
 * hv-vmm change in a way that an older module would misread. */
#define DISPLAY_MODULE_ABI 1

typedef struct
{
  unsigned abi;        /* DISPLAY_MODULE_ABI of the module's build */
  const char *version; /* PACKAGE_VERSION of the module's build */
  DisplayServer *(*server_new) (Vmm *vmm, const DisplayConfig *config, const char *socket_path,
                                GError **error);
  void (*server_free) (DisplayServer *server);
  unsigned (*get_clients) (DisplayServer *server);
  void (*get_stats) (DisplayServer *server, guint64 *updates, guint64 *pixels);
} DisplayModule;
