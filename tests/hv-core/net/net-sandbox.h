/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The network tests run in namespaces of their own: a network namespace
 * (only loopback, plus the bridges a test makes), and a mount namespace in
 * which /etc/resolv.conf can name a DNS server the test runs. As root
 * (CI) that is unshare (); otherwise a user namespace makes it possible.
 */
#pragma once

#include <glib.h>

/* Must run before any thread starts. RESOLV_CONF: the contents for
 * /etc/resolv.conf inside, or NULL to keep the host's. Aborts the test
 * program with a message saying why if namespaces cannot be made. */
void net_sandbox_enter (const char *resolv_conf);

/* Runs "ip ARGS..." and asserts that it succeeded. */
void net_sandbox_ip (const char *first_arg, ...) G_GNUC_NULL_TERMINATED;
