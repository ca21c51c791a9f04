#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# timed.sh NAME CMD...: run CMD and record its wall time under NAME in the
# run's time breakdown (see timed() in lib.sh).
. "$(dirname "$0")/lib.sh"

timed "$@"
