# SPDX-License-Identifier: GPL-2.0
#
# Rex developer entry points; see README.md.

.PHONY: all test demo bench check check-series series prepare shell

all: test

test:
	scripts/rex.sh test

demo:
	scripts/rex.sh demo

bench:
	scripts/rex.sh bench

check:
	scripts/rex.sh check

check-series:
	scripts/rex.sh check-series

series:
	scripts/rex.sh series

prepare:
	scripts/rex.sh prepare

shell:
	scripts/env.sh shell
