/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <hv/hv.h>

/* Puts the terminal on NAME's console until the guest ends (0), the user
 * detaches (0, *DETACHED set), or the VMM dies without the guest powering
 * off (-1 and ERROR). CLIENT, when not NULL, tells how the guest ended. */
int hvctl_attach (const char *name, HvClient *client, GSocketConnection *console,
                  gboolean *detached, GError **error);

/* hvctl-store.c: the option parsing of the store's commands. Help is
 * printed here, never by GOption, which would exit () inside the parser.
 * FALSE with *STATUS set when the command is done (help shown, or an
 * error). */
gboolean hvctl_parse_options (const char *command, const char *parameters, const char *summary,
                              const GOptionEntry *entries, int *argc, char ***argv, int *status,
                              GError **error);
/* ARGV[1], the command's one argument; USAGE goes in the error. */
const char *hvctl_one_name (int argc, char **argv, const char *usage, GError **error);
gboolean hvctl_no_arguments (int argc, char **argv, GError **error);

/* hvctl-store.c: the defined machines and networks. */
int hvctl_cmd_create (int argc, char **argv, GError **error);
int hvctl_cmd_start (int argc, char **argv, GError **error);
int hvctl_cmd_list (int argc, char **argv, GError **error);
int hvctl_cmd_rm (int argc, char **argv, GError **error);
int hvctl_cmd_net (int argc, char **argv, GError **error);

/* hvctl-lab.c: hvctl lab create|list|show|start|stop|reset|rm|export|import. */
int hvctl_cmd_lab (int argc, char **argv, GError **error);

/* hvctl-net.c: hvctl net start|stop|leases NAME, argv from the
 * subcommand on. */
int hvctl_net_start (int argc, char **argv, GError **error);
int hvctl_net_stop (int argc, char **argv, GError **error);
int hvctl_net_leases (int argc, char **argv, GError **error);
