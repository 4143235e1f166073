/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "hangar-machine.h"

G_BEGIN_DECLS

#define HANGAR_TYPE_GRAPH (hangar_graph_get_type ())

G_DECLARE_FINAL_TYPE (HangarGraph, hangar_graph, HANGAR, GRAPH, GtkWidget)

/* Plots the last minute of METRIC (and SECOND, unless it is HANGAR_N_METRICS)
 * of the machine it is given. */
GtkWidget *hangar_graph_new (HangarMetric metric, HangarMetric second);
void hangar_graph_set_machine (HangarGraph *self, HangarMachine *machine);

G_END_DECLS
