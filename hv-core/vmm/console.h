/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A console's byte stream on a socket (COM1 on console.sock, virtio-console
 * on console2.sock): many readers, one writer at a time. */
#pragma once

#include "vmm.h"

typedef struct console_server ConsoleServer;

/* Listens on PATH (mode 0600); input from the writing client goes to
 * vmm_console_input (). LOG_PATH, when not NULL, gets every output byte. */
ConsoleServer *console_server_new (Vmm *vmm, const char *path, const char *log_path,
                                   GError **error);
/* Thread-safe: called from vCPU threads with the bytes the guest wrote. */
void console_server_output (ConsoleServer *server, const uint8_t *bytes, size_t len);
void console_server_free (ConsoleServer *server);
/* Where the writing client's input goes instead of COM1 (main thread). */
typedef void (*ConsoleInputFunc) (const uint8_t *bytes, size_t len, void *data);
void console_server_set_input_func (ConsoleServer *server, ConsoleInputFunc func, void *data);
