#!/usr/bin/env bash
# Calibration experiment (issue 30): for one rendering (extra synth options), 40 test slides
# scored uncalibrated, 8 controls (2 per score, their own seeds) → calibrate → the 40 scored
# with the calibration. Usage: scripts/calibration-experiment.sh WORKDIR "SYNTH OPTIONS"
# (e.g. "--dab-scale 0.6"). Environment: BIN (default .build/release/ihc-score), SIZE (tile
# side, default 768), JOBS (default 2), TEST_SEED (default 2000), CONTROL_SEED (first of the four
# control seeds, default 1001).
set -euo pipefail
work=$1; opts=$2
bin=${BIN:-$(pwd)/.build/release/ihc-score}; size=${SIZE:-768}; jobs=${JOBS:-2}
test_seed=${TEST_SEED:-2000}; control_seed=${CONTROL_SEED:-1001}
rm -rf "$work"; mkdir -p "$work/controls"
# shellcheck disable=SC2086
"$bin" synth "$work/test" --slides 40 --seed "$test_seed" --tiles-per-slide 1 --size "$size" $opts > "$work/synth-test.txt"
# Controls: 2 per score, one seed per score, gathered into one folder (slides renamed c<score>-…).
echo "slide,score,category,pct_1plus_or_more,pct_2plus_or_more,pct_3plus,tumour_cells,rules,mpp" > "$work/controls/labels.csv"
echo "slide,tile,x,y,kind,class,completeness,intensity,membrane_width_um" > "$work/controls/cells.csv"
for pair in 0:$control_seed 1+:$((control_seed + 1)) 2+:$((control_seed + 2)) 3+:$((control_seed + 3)); do
  score=${pair%%:*}; seed=${pair##*:}; tag=c${score%+}
  # shellcheck disable=SC2086
  "$bin" synth "$work/ctl-$tag" --slides 2 --seed "$seed" --score "$score" --tiles-per-slide 1 --size "$size" $opts > /dev/null
  for d in "$work/ctl-$tag"/slide-*; do mv "$d" "$work/controls/$tag-$(basename "$d")"; done
  tail -n +2 "$work/ctl-$tag/labels.csv" | sed "s/^/$tag-/" >> "$work/controls/labels.csv"
  tail -n +2 "$work/ctl-$tag/cells.csv" | sed "s/^/$tag-/" >> "$work/controls/cells.csv"
done
"$bin" score "$work/test" --out "$work/uncal" --jobs "$jobs" --quiet --no-geojson > /dev/null || true
"$bin" validate "$work/test" --results "$work/uncal" > "$work/validate-uncal.txt" || true
"$bin" calibrate "$work/controls" --labels "$work/controls/labels.csv" --cells "$work/controls/cells.csv" \
  --out "$work/calibration.toml" --jobs "$jobs" --quiet > "$work/calibrate.txt" 2>&1 || { cat "$work/calibrate.txt"; exit 1; }
"$bin" score "$work/test" --calibration "$work/calibration.toml" --out "$work/cal" --jobs "$jobs" --quiet --no-geojson > /dev/null || true
"$bin" validate "$work/test" --results "$work/cal" > "$work/validate-cal.txt" || true
echo "== $opts: uncalibrated"; grep -iE "agreement|kappa|κ|accuracy" "$work/validate-uncal.txt" | head -8
echo "== $opts: calibrated"; grep -iE "agreement|kappa|κ|accuracy" "$work/validate-cal.txt" | head -8
