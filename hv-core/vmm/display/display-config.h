/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hv-vmm's --display option: none, or spice[,width=W,height=H,port=N,addr=A,password=P]. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#define DISPLAY_DEFAULT_WIDTH  1280
#define DISPLAY_DEFAULT_HEIGHT 800

typedef struct
{
  bool enabled;
  unsigned width, height;
  int port;       /* TCP port, or 0: the unix socket only */
  char *addr;     /* TCP address; NULL: 127.0.0.1 */
  char *password; /* the SPICE ticket, required with a port */
  char *fb_file;  /* benchmarks: keep the pixels in this shared file */
} DisplayConfig;

/* Fills CONFIG from the option's text (NULL: none). */
gboolean display_config_parse (DisplayConfig *config, const char *text, GError **error);
void display_config_clear (DisplayConfig *config);
