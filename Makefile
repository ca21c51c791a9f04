# SPDX-License-Identifier: GPL-2.0
#
# Rex developer entry points; see README.md.

.PHONY: all test test-fresh demo bench fuzz check check-series check-postable check-matrix series \
	prepare shell rexdoc

all: test

test:
	scripts/rex.sh test

# make test from an empty cache that shares only the downloads (README.md)
test-fresh:
	scripts/rex.sh fresh

demo:
	scripts/rex.sh demo

bench:
	scripts/rex.sh bench

fuzz:
	scripts/rex.sh fuzz

check:
	scripts/rex.sh check

check-series:
	scripts/rex.sh check-series

check-postable:
	scripts/rex.sh check-postable

check-matrix:
	scripts/rex.sh check-matrix

series:
	scripts/rex.sh series

rexdoc:
	scripts/rex.sh rexdoc

prepare:
	scripts/rex.sh prepare

shell:
	scripts/env.sh shell
