#!/bin/sh
# make check: run each fuzz target briefly (F4FZ_SECS, default 60 s each)
# with ASan+UBSan; skips (77) when clang/libFuzzer is missing. See run.sh.
exec bash "$(dirname "$0")/run.sh" smoke
